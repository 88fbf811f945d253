// Package xata is the provider's Xata service: branches, projects, API
// keys and the catalogues, as resources, data sources, an ephemeral
// resource, list resources and actions. It reaches the Xata API only
// through the client package internal/xata (imported as xataapi).
package xata

import (
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
)

// Types are the Xata types the provider serves.
func Types() shared.Types {
	return shared.Types{
		Resources: []func() resource.Resource{NewBranchResource, NewProjectResource, NewAPIKeyResource},
		DataSources: []func() datasource.DataSource{
			NewBranchDataSource, NewBranchesDataSource, NewRegionsDataSource, NewImagesDataSource,
			NewInstanceTypesDataSource, NewProjectDataSource, NewLimitsDataSource,
		},
		EphemeralResources: []func() ephemeral.EphemeralResource{NewBranchCredentialsEphemeralResource},
		ListResources:      []func() list.ListResource{NewBranchListResource, NewProjectListResource},
		Actions:            []func() action.Action{NewBranchHibernateAction, NewBranchWakeAction, NewBranchRotateCredentialsAction},
	}
}
