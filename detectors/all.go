package detectors

// All returns a fresh list of every built-in detector, in a stable order. The list is explicit:
// adding a detector means adding its constructor here.
func All() []*Detector {
	return []*Detector{
		AzureDevOpsPAT(),
		AzureDevOpsPATLegacy(),
		GitHubClassicPAT(),
	}
}
