package notify_test

import (
	"fmt"

	"github.com/patrolsec/patrol/notify"
)

func ExampleConfig_Recipients() {
	c := notify.Config{
		SMTP:         &notify.SMTPConfig{Host: "smtp.contoso.com", From: "patrol@contoso.com"},
		SecurityTeam: "secops@contoso.com",
	}
	// The provider names a personal address; the commit author is at contoso.com.
	to, cc, probable, dropped := c.Recipients("ada@gmail.com", "ada.lovelace@contoso.com")
	fmt.Println(to, cc, probable)
	for _, d := range dropped {
		fmt.Printf("dropped %s (%s): %s\n", d.Address, d.Role, d.Reason)
	}
	// Output:
	// [ada.lovelace@contoso.com] [secops@contoso.com] true
	// dropped ada@gmail.com (owner): domain "gmail.com" is not in allowed_domains
}

func ExampleBackoff() {
	for attempt := 1; attempt <= 8; attempt++ {
		fmt.Print(notify.Backoff(attempt), " ")
	}
	fmt.Println()
	// Output: 1m0s 2m0s 4m0s 8m0s 16m0s 32m0s 1h0m0s 1h0m0s
}

func ExampleConfig_Validate() {
	c := notify.Config{SMTP: &notify.SMTPConfig{Host: "smtp.contoso.com", From: "patrol", TLS: "ssl"}}
	fmt.Println(c.Validate())
	// Output:
	// notify.smtp.tls: "ssl" is not starttls, implicit or none
	// notify.smtp.from: "patrol" is not an email address
}
