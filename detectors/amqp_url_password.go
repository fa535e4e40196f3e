package detectors

func init() { register(AMQPURLPassword) }

// AMQPURLPassword finds the password in AMQP broker URLs, amqp://user:password@host and
// amqps://…, as RabbitMQ and other brokers' clients take them. The token is the password
// alone. RabbitMQ's guest:guest default, placeholders and hosts reserved for documentation
// or loopback are not reported (urlcred.go).
//
// References: https://www.rabbitmq.com/docs/uri-spec
func AMQPURLPassword() *Detector {
	return &Detector{
		ID:          "amqp-url-password",
		Description: "Password in an AMQP broker URL",
		Keywords:    []string{"amqp"},
		Pattern: `(?:^|[^0-9A-Za-z+.-])(?i:amqps?)://` + urlUserChars + `:(` + urlPassChars + `)@` +
			urlHostChars,
		Before:           8,
		After:            320,
		Broad:            true, // any credential may be the password; a specific detector wins
		KeepPlaceholders: true, // passwordOK checks the decoded password instead
		ValidateMatch:    validURLPassword(minURLPassword, minDBEntropy),
		RotateURL:        "https://www.rabbitmq.com/docs/passwords",
	}
}
