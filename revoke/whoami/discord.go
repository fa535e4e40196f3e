package whoami

import "net/http"

// Discord checks bot tokens with GET /api/v10/users/@me (Authorization: Bot <token>), which
// names the bot user. Discord documents no API that revokes a bot token: its owner resets it
// on the application's Bot page in the Developer Portal.
//
// Docs: https://discord.com/developers/docs/resources/user#get-current-user,
// https://discord.com/developers/docs/reference#authentication
var Discord = Spec{
	Name: "discord", Display: "Discord", DefaultBaseURL: "https://discord.com/",
	Auth:   Auth{Header: "Authorization", Prefix: "Bot "},
	Verify: Call{Method: http.MethodGet, Path: "api/v10/users/@me"},
	Owner:  Fields{ID: "id", Login: "username", Name: "global_name"},
}
