package whoami

// Specs lists every issuer this package knows, in the order the README shows them.
var Specs = []Spec{
	HuggingFace, Doppler, DigitalOcean, Postman, Telegram, SendGrid, Cloudflare, Datadog,
	CircleCI, Buildkite, Notion, Heroku, Discord, Stripe,
}
