// Package deploy holds no code: it is where the tests of patrol's deployment files live, so
// that the Kubernetes manifests, the Prometheus rules, the Grafana dashboard and the container
// image are checked by `go test` against the API types and the metrics the service really
// exports, rather than by eye.
//
//   - TestKustomize renders every kustomize overlay under kubernetes/ and decodes every object
//     strictly into the k8s.io/api (and prometheus-operator) types, then checks the
//     invariants (non-root, probes, secrets only by reference, replicas and strategy per
//     overlay, one image tag).
//   - TestQueriesNameExportedMetrics parses every PromQL expression of the alert rules and
//     the dashboard and checks each metric it names against metrics.New's registry.
//   - TestImage runs the image's patrol and git from an exported root (make image-check).
//
// `make deploy-check` runs these with promtool's check and unit tests of the rules.
package deploy
