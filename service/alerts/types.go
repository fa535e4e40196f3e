package alerts

// secretTypes maps GitHub's secret_type of an alert to the patrol detector whose tokens it
// names. It is read only when none of patrol's detectors matches the alert's value (a value
// the detectors judge only with context around it, such as an AWS secret access key; or one
// whose checksum they refuse): then the detector named here gives the finding its id,
// provider and fingerprint. A type absent here, with a value no detector matches, is an
// unknown type: recorded, counted and left alone.
//
// Only types of the same issuer and token format as the detector belong here. Source: GitHub's
// "Supported secret scanning patterns" (github/docs src/secret-scanning/data/public-docs.yml).
var secretTypes = map[string]string{
	"anthropic_api_key":                    "anthropic-api-key",
	"aws_access_key_id":                    "aws-access-key-id",
	"aws_secret_access_key":                "aws-secret-access-key",
	"azure_devops_personal_access_token":   "azure-devops-pat",
	"doppler_personal_token":               "doppler-token",
	"github_app_installation_access_token": "github-app-installation-token",
	"github_oauth_access_token":            "github-oauth-token",
	"github_personal_access_token":         "github-classic-pat",
	"github_refresh_token":                 "github-refresh-token",
	"gitlab_access_token":                  "gitlab-pat",
	"google_api_key":                       "google-api-key",
	"hashicorp_vault_service_token":        "hashicorp-vault-token",
	"npm_access_token":                     "npm-token",
	"openai_api_key":                       "openai-api-key",
	"sendgrid_api_key":                     "sendgrid-api-key",
	"shopify_access_token":                 "shopify-access-token",
	"slack_api_token":                      "slack-bot-token",
	"slack_incoming_webhook_url":           "slack-webhook-url",
	"stripe_api_key":                       "stripe-secret-key",
	"stripe_live_restricted_key":           "stripe-restricted-key",
	"telegram_bot_token":                   "telegram-bot-token",
	"twilio_api_key":                       "twilio-api-key",
}

// DetectorOf returns the detector id GitHub's secret type names, or false.
func DetectorOf(secretType string) (string, bool) {
	id, ok := secretTypes[secretType]
	return id, ok
}
