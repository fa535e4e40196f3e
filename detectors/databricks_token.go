package detectors

func init() { register(DatabricksToken) }

// DatabricksToken finds Databricks personal access tokens: dapi + 32 lower-case hex digits,
// sometimes followed by -<digit> (the token's shard).
//
// References: https://docs.databricks.com/en/dev-tools/auth/pat.html
func DatabricksToken() *Detector {
	return &Detector{
		ID:          "databricks-token",
		Description: "Databricks personal access token",
		RotateURL:   "https://docs.databricks.com/en/dev-tools/auth/pat.html",
		Keywords:    []string{"dapi"},
		Pattern:     bounded(`dapi[0-9a-f]{32}(?:-[0-9]{1,2})?`),
		Before:      8,
		After:       48,
		MinEntropy:  3,
	}
}
