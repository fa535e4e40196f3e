package detectors

func init() { register(NotionToken) }

// NotionToken finds Notion integration tokens: the current ntn_ + 11 digits + 35
// alphanumerics, and the older secret_ + 43 alphanumerics. "secret_" alone is far too common,
// so the older form counts only at most 200 bytes after the word notion (any case):
// NOTION_TOKEN=secret_…, new Client({auth: …}) under an @notionhq/client import. The
// keywords name those variables and that package rather than the plain word, whose pairs
// ("io", "on") are among the commonest in source text.
//
// References: https://developers.notion.com/docs/authorization#internal-integration-auth-flow-set-up
func NotionToken() *Detector {
	return &Detector{
		ID:          "notion-token",
		Provider:    "notion",
		Description: "Notion integration token",
		Keywords:    []string{"ntn_", "notionhq", "notion_token", "notion_api_key", "notion_key", "notion_secret"},
		Pattern: startB + `(?P<secret>ntn_[0-9]{11}[0-9A-Za-z]{35})` + endB +
			`|(?i:notion)(?s:.){0,200}?[^0-9A-Za-z_-](?P<secret>secret_[0-9A-Za-z]{43})` + endB,
		Before:     8,
		After:      256,
		MinEntropy: 3.5,
		RotateURL:  "https://www.notion.so/help/create-integrations-with-the-notion-api#manage-your-integrations",
	}
}
