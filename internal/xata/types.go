package xata

import (
	"cmp"
	"time"
)

// Wire types of the Xata platform API, named as the API names them
// (BranchMetadata, BranchShortMetadata, …). Fields follow the public
// OpenAPI spec; where the live API (SPEC-B, 2026-08) added fields, they are
// optional here so both shapes decode.

// Status types reported in BranchStatus.StatusType.
const (
	StatusUnspecified = "STATUS_TYPE_UNSPECIFIED"
	StatusHealthy     = "STATUS_TYPE_HEALTHY"
	StatusTransient   = "STATUS_TYPE_TRANSIENT"
	StatusFault       = "STATUS_TYPE_FAULT"
	StatusHibernated  = "STATUS_TYPE_HIBERNATED"
)

// Branch creation modes (the discriminator of BranchCreationDetails).
const (
	ModeInherit = "inherit"
	ModeCustom  = "custom"
)

// DefaultUsername is the only user whose credentials the API hands out.
const DefaultUsername = "xata"

// ScaleToZero is ScaleToZeroConfiguration.
type ScaleToZero struct {
	Enabled                 bool  `json:"enabled"`
	InactivityPeriodMinutes int64 `json:"inactivityPeriodMinutes"`
}

// BackupConfiguration is the branch's continuous backup settings.
type BackupConfiguration struct {
	RetentionPeriod int64  `json:"retentionPeriod,omitempty"`
	BackupTime      string `json:"backupTime,omitempty"`
}

// ClusterConfiguration describes the Postgres cluster behind a branch.
type ClusterConfiguration struct {
	Region                          string            `json:"region"`
	Storage                         *int64            `json:"storage,omitempty"`
	InstanceType                    string            `json:"instanceType"`
	Image                           string            `json:"image"`
	Replicas                        int64             `json:"replicas"`
	PostgresConfigurationParameters map[string]string `json:"postgresConfigurationParameters,omitempty"`
	PreloadLibraries                []string          `json:"preloadLibraries,omitempty"`
}

// InstanceStatus is one Postgres instance of a branch.
type InstanceStatus struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	Primary       bool   `json:"primary"`
	TargetPrimary bool   `json:"targetPrimary"`
}

// BranchStatus is the cluster status of a branch.
type BranchStatus struct {
	Status             string           `json:"status"`
	StatusType         string           `json:"statusType"`
	Message            string           `json:"message,omitempty"`
	InstanceCount      int64            `json:"instanceCount"`
	InstanceReadyCount int64            `json:"instanceReadyCount"`
	Instances          []InstanceStatus `json:"instances"`
}

// BranchMetadata is what GET …/branches/{id} returns.
type BranchMetadata struct {
	ID                  string               `json:"id"`
	Name                string               `json:"name"`
	Description         string               `json:"description,omitempty"`
	CreatedAt           time.Time            `json:"createdAt"`
	UpdatedAt           time.Time            `json:"updatedAt"`
	ParentID            *string              `json:"parentID"`
	Region              string               `json:"region"`
	Status              BranchStatus         `json:"status"`
	ConnectionString    *string              `json:"connectionString"`
	PublicAccess        bool                 `json:"publicAccess"`
	BackupsEnabled      bool                 `json:"backupsEnabled"`
	ScaleToZero         ScaleToZero          `json:"scaleToZero"`
	Configuration       ClusterConfiguration `json:"configuration"`
	BackupConfiguration *BackupConfiguration `json:"backupConfiguration,omitempty"`
}

// EffectiveRegion is the region the branch runs in: the configuration's,
// where the server reports it (a child's is its parent's), else the
// top-level field.
func (b *BranchMetadata) EffectiveRegion() string { return cmp.Or(b.Configuration.Region, b.Region) }

// BranchShortMetadata is what create and update return.
type BranchShortMetadata struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Description      string    `json:"description,omitempty"`
	CreatedAt        time.Time `json:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt"`
	ParentID         *string   `json:"parentID"`
	ConnectionString *string   `json:"connectionString"`
	Region           string    `json:"region"`
	PublicAccess     bool      `json:"publicAccess"`
}

// BranchListMetadata is one entry of GET …/branches. The list omits
// description and reports backupsEnabled as false; use GetBranch for those.
type BranchListMetadata struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Description    string    `json:"description,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
	ParentID       *string   `json:"parentID"`
	Region         string    `json:"region"`
	PublicAccess   bool      `json:"publicAccess"`
	BackupsEnabled bool      `json:"backupsEnabled"`
}

// CreateBranchRequest is BranchCreationDetails. Mode "inherit" needs
// ParentID; mode "custom" needs Configuration.
type CreateBranchRequest struct {
	Name                string                `json:"name"`
	Mode                string                `json:"mode"`
	Description         string                `json:"description,omitempty"`
	ParentID            string                `json:"parentID,omitempty"`
	ScaleToZero         *ScaleToZero          `json:"scaleToZero,omitempty"`
	BackupConfiguration *BackupConfiguration  `json:"backupConfiguration,omitempty"`
	Configuration       *ClusterConfiguration `json:"configuration,omitempty"`
}

// UpdateBranchRequest is BranchUpdateDetails; nil fields are not sent.
type UpdateBranchRequest struct {
	Name                            *string              `json:"name,omitempty"`
	Description                     *string              `json:"description,omitempty"`
	Replicas                        *int64               `json:"replicas,omitempty"`
	Storage                         *int64               `json:"storage,omitempty"`
	InstanceType                    *string              `json:"instanceType,omitempty"`
	Image                           *string              `json:"image,omitempty"`
	Hibernate                       *bool                `json:"hibernate,omitempty"`
	ScaleToZero                     *ScaleToZero         `json:"scaleToZero,omitempty"`
	BackupConfiguration             *BackupConfiguration `json:"backupConfiguration,omitempty"`
	PostgresConfigurationParameters map[string]string    `json:"postgresConfigurationParameters,omitempty"`
	PreloadLibraries                []string             `json:"preloadLibraries,omitempty"`
}

// IsEmpty reports whether the update would send no field (the API answers
// such a PATCH with 400).
func (u UpdateBranchRequest) IsEmpty() bool {
	return u.Name == nil && u.Description == nil && u.Replicas == nil && u.Storage == nil &&
		u.InstanceType == nil && u.Image == nil && u.Hibernate == nil && u.ScaleToZero == nil &&
		u.BackupConfiguration == nil && u.PostgresConfigurationParameters == nil && u.PreloadLibraries == nil
}

// BranchCredentials is GET …/credentials. The April spec returns only
// username and password; the live API adds the connection details.
type BranchCredentials struct {
	Username         string `json:"username"`
	Password         string `json:"password"`
	Hostname         string `json:"hostname,omitempty"`
	Port             int64  `json:"port,omitempty"`
	DBName           string `json:"dbname,omitempty"`
	ConnectionString string `json:"connectionString,omitempty"`
}

// Project is a Xata project.
type Project struct {
	ID            string               `json:"id"`
	Name          string               `json:"name"`
	CreatedAt     time.Time            `json:"createdAt"`
	UpdatedAt     time.Time            `json:"updatedAt"`
	Configuration ProjectConfiguration `json:"configuration"`
}

// ProjectConfiguration is a project's settings. The server omits
// IPFiltering when it is disabled and has no CIDRs.
type ProjectConfiguration struct {
	ScaleToZero ProjectScaleToZero `json:"scaleToZero"`
	IPFiltering *IPFiltering       `json:"ipFiltering,omitempty"`
}

// ProjectScaleToZero is the scale-to-zero default of a project's root
// (base) branches and of its child branches.
type ProjectScaleToZero struct {
	BaseBranches  ScaleToZero `json:"baseBranches"`
	ChildBranches ScaleToZero `json:"childBranches"`
}

// IPFiltering limits the addresses that may connect to a project's branches.
type IPFiltering struct {
	Enabled bool        `json:"enabled"`
	CIDR    []CIDREntry `json:"cidr"`
}

// CIDREntry is one allowed address range.
type CIDREntry struct {
	CIDR        string `json:"cidr"`
	Description string `json:"description,omitempty"`
}

// ProjectRequest is the body of a project create (Name required) or
// update (any field). On create, a ScaleToZero must carry both halves.
type ProjectRequest struct {
	Name          *string                     `json:"name,omitempty"`
	Configuration *ProjectConfigurationUpdate `json:"configuration,omitempty"`
}

// ProjectConfigurationUpdate is the configuration of a ProjectRequest:
// only what is set is sent.
type ProjectConfigurationUpdate struct {
	ScaleToZero *ProjectScaleToZero `json:"scaleToZero,omitempty"`
	IPFiltering *IPFiltering        `json:"ipFiltering,omitempty"`
}

// Region is one entry of GET /organizations/{org}/regions.
type Region struct {
	ID             string  `json:"id"`
	PublicAccess   bool    `json:"publicAccess"`
	BackupsEnabled bool    `json:"backupsEnabled"`
	OrganizationID *string `json:"organizationId"`
	Provider       string  `json:"provider,omitempty"`
}

// InstanceType is one entry of GET /organizations/{org}/instanceTypes.
// VCPUs is in millicores, RAM in GB.
type InstanceType struct {
	Name               string  `json:"name"`
	VCPUs              int64   `json:"vcpus"`
	RAM                float64 `json:"ram"`
	HourlyRate         float64 `json:"hourlyRate"`
	StorageMonthlyRate float64 `json:"storageMonthlyRate"`
	Region             string  `json:"region,omitempty"`
}

// Image is one entry of GET /organizations/{org}/images.
type Image struct {
	Name         string   `json:"name"`
	MajorVersion string   `json:"majorVersion"`
	FullVersion  string   `json:"fullVersion"`
	Regions      []string `json:"region,omitempty"`
}

// ImageList is the body of GET /organizations/{org}/images.
type ImageList struct {
	Images []Image `json:"images"`
}

// InstanceTypeList is the body of GET /organizations/{org}/instanceTypes.
type InstanceTypeList struct {
	InstanceTypes []InstanceType `json:"instanceTypes"`
}

// BranchList is the body of GET …/branches.
type BranchList struct {
	Branches []BranchListMetadata `json:"branches"`
}

// ProjectList is the body of GET /organizations/{org}/projects.
type ProjectList struct {
	Projects []Project `json:"projects"`
}

// RegionList is the body of GET /organizations/{org}/regions.
type RegionList struct {
	Regions []Region `json:"regions"`
}

// RotateCredentialsRequest is the body of POST …/credentials/rotate.
type RotateCredentialsRequest struct {
	Username string `json:"username"`
}

// ErrorBody is the management API's error shape. ID is the request id and
// may be absent.
type ErrorBody struct {
	ID      string `json:"id,omitempty"`
	Message string `json:"message"`
}
