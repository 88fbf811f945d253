package shared

import "github.com/hashicorp/terraform-plugin-framework/attr"

// Known reports whether a value is set and known, i.e. usable as input.
func Known(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }
