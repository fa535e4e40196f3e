package detectors

func init() { register(TerraformCloudToken) }

// TerraformCloudToken finds HCP Terraform (Terraform Cloud) and Terraform Enterprise API
// tokens: 14 alphanumerics, ".atlasv1.", then 60–70 characters of [0-9A-Za-z_=-]. User,
// team and organization tokens share the shape.
//
// References: https://developer.hashicorp.com/terraform/cloud-docs/users-teams-organizations/api-tokens
func TerraformCloudToken() *Detector {
	return &Detector{
		ID:          "terraform-cloud-token",
		Description: "HCP Terraform / Terraform Enterprise API token",
		Keywords:    []string{".atlasv1."},
		Pattern:     startB + `([0-9A-Za-z]{14}\.atlasv1\.[0-9A-Za-z_=-]{60,70})(?:[^0-9A-Za-z_=-]|$)`,
		Before:      16,
		After:       80,
		MinEntropy:  3.5,
		RotateURL:   "https://developer.hashicorp.com/terraform/cloud-docs/users-teams-organizations/api-tokens",
	}
}
