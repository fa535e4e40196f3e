package detectors

import "testing"

var (
	amqpLeads = []string{"amqp://orders:", "amqps://svc-billing:", "AMQP_URL=amqp://worker:"}
	amqpTails = []string{"@rabbitmq.prod.internal:5672/orders", "@b-1f2e3d.mq.eu-west-1.amazonaws.com:5671", "@mq01.corp.internal/%2F"}
)

func init() { registerCasesAround(AMQPURLPassword, casesAMQPURLPassword, amqpLeads, amqpTails) }

func casesAMQPURLPassword() ([]tp, []fp) {
	return []tp{
			{"amqp", rnd(4100, alnum, 20), ConfidencePattern},
			{"amqps", rnd(4101, alnum, 24), ConfidencePattern},
			{"URL-encoded", rnd(4102, alnum, 10) + "%2B" + rnd(4103, alnum, 10), ConfidencePattern},
		}, []fp{
			{"RabbitMQ default", "amqp://guest:guest@localhost:5672/"},
			{"variable", "AMQP_URL=amqp://app:${RABBITMQ_PASSWORD}@rabbitmq:5672"},
			{"documentation host", "amqps://admin:" + rnd(4110, alnum, 20) + "@broker.example.com"},
			{"no password", "amqp://rabbitmq.prod.internal:5672"},
			{"changeme", "amqp://app:changeme@mq.prod.internal/"},
			{"loopback", "amqp://app:" + rnd(4111, alnum, 20) + "@127.0.0.1:5672"},
		}
}

func TestAMQPURLPassword(t *testing.T) {
	t.Parallel()
	tps, fps := casesAMQPURLPassword()
	checkDetectorAround(t, AMQPURLPassword(), tps, fps, amqpLeads, amqpTails)
}
