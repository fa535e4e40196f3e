package detectors

// All returns a fresh list of every built-in detector, in a stable order. The list is explicit:
// adding a detector means adding its constructor here. Specific detectors (a literal prefix,
// a checksum) come before generic ones (a keyword beside the token, a charset run): when two
// claim the same span, the scanner keeps the earlier one.
func All() []*Detector {
	return []*Detector{
		// Azure DevOps.
		AzureDevOpsPAT(),
		AzureDevOpsPATLegacy(),

		// Microsoft identifiable keys (security-utilities), before the keyword-only
		// azure-storage-account-key so that an identifiable storage key in a connection
		// string is reported once, by the checksum detector.
		AzureStorageIdentifiableKey(),
		AzureCosmosDBIdentifiableKey(),
		AzureBatchIdentifiableKey(),
		AzureMLClassicIdentifiableKey(),
		AzureAPIMIdentifiableKey(),
		AzureServiceBusIdentifiableKey(),
		AzureEventHubsIdentifiableKey(),
		AzureRelayIdentifiableKey(),
		AzureIoTIdentifiableKey(),
		AzureCacheRedisIdentifiableKey(),
		AzureEventGridIdentifiableKey(),
		AzureSearchIdentifiableKey(),
		AzureContainerRegistryIdentifiableKey(),
		AzureFunctionsIdentifiableKey(),
		AzureEntraClientSecret(),
		AzureCASKKey(),

		// GitHub.
		GitHubClassicPAT(),
		GitHubOAuthToken(),
		GitHubUserToServerToken(),
		GitHubAppInstallationToken(),
		GitHubAppInstallationStateless(),
		GitHubRefreshToken(),
		GitHubFineGrainedPAT(),

		// GitLab.
		GitLabPAT(),
		GitLabPATRoutable(),
		GitLabDeployToken(),
		GitLabRunnerToken(),
		GitLabCIJobToken(),
		GitLabPipelineTriggerToken(),
		GitLabFeedToken(),
		GitLabOAuthAppSecret(),

		// npm.
		NPMToken(),

		// Slack.
		SlackBotToken(),
		SlackUserToken(),
		SlackAppToken(),
		SlackConfigToken(),
		SlackWebhookURL(),

		// Cloud, AI and SaaS providers with a literal prefix.
		PyPIToken(),
		AWSAccessKeyID(),
		GoogleAPIKey(),
		StripeSecretKey(),
		StripeRestrictedKey(),
		SendGridAPIKey(),
		OpenAIAPIKey(),
		AnthropicAPIKey(),
		HuggingFaceToken(),
		DigitalOceanToken(),
		HashiCorpVaultToken(),
		DockerHubPAT(),
		ShopifyAccessToken(),
		DatabricksToken(),
		PostmanAPIKey(),
		NewRelicUserKey(),
		GrafanaServiceAccountToken(),
		DopplerToken(),
		AgeSecretKey(),

		// Structured blocks and named values.
		PrivateKey(),
		AzureStorageAccountKey(),

		// Generic: a keyword beside the token, or a charset run.
		AWSSecretAccessKey(),
		TelegramBotToken(),
		TwilioAPIKey(),
	}
}
