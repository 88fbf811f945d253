package xataemu

import "time"

// Wire types, written from the public OpenAPI spec and the notes on the live
// API rather than shared with the client package, so that a misreading of
// the spec in the client is not silently mirrored here.

type apiError struct {
	ID      string `json:"id,omitempty"`
	Message string `json:"message"`
}

type scaleToZero struct {
	Enabled                 bool `json:"enabled"`
	InactivityPeriodMinutes int  `json:"inactivityPeriodMinutes"`
}

type backupConfiguration struct {
	RetentionPeriod int    `json:"retentionPeriod"`
	BackupTime      string `json:"backupTime"`
}

type clusterConfiguration struct {
	Region                          string            `json:"region"`
	Storage                         int               `json:"storage"`
	InstanceType                    string            `json:"instanceType"`
	Image                           string            `json:"image"`
	Replicas                        int               `json:"replicas"`
	PostgresConfigurationParameters map[string]string `json:"postgresConfigurationParameters,omitempty"`
	PreloadLibraries                []string          `json:"preloadLibraries,omitempty"`
}

type instanceStatus struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	Primary       bool   `json:"primary"`
	TargetPrimary bool   `json:"targetPrimary"`
}

type branchStatus struct {
	Status             string           `json:"status"`
	StatusType         string           `json:"statusType"`
	Message            string           `json:"message"`
	InstanceCount      int              `json:"instanceCount"`
	InstanceReadyCount int              `json:"instanceReadyCount"`
	Instances          []instanceStatus `json:"instances"`
}

type branchShortMetadata struct {
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

type branchListMetadata struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
	ParentID       *string   `json:"parentID"`
	Region         string    `json:"region"`
	PublicAccess   bool      `json:"publicAccess"`
	BackupsEnabled bool      `json:"backupsEnabled"`
}

type branchMetadata struct {
	ID                  string               `json:"id"`
	Name                string               `json:"name"`
	Description         string               `json:"description,omitempty"`
	CreatedAt           time.Time            `json:"createdAt"`
	UpdatedAt           time.Time            `json:"updatedAt"`
	ParentID            *string              `json:"parentID"`
	Region              string               `json:"region"`
	Status              branchStatus         `json:"status"`
	ConnectionString    *string              `json:"connectionString"`
	PublicAccess        bool                 `json:"publicAccess"`
	BackupsEnabled      bool                 `json:"backupsEnabled"`
	ScaleToZero         scaleToZero          `json:"scaleToZero"`
	Configuration       clusterConfiguration `json:"configuration"`
	BackupConfiguration *backupConfiguration `json:"backupConfiguration,omitempty"`
}

// branchCredentials is the hosted ([SPEC-B]) shape of BranchCredentials;
// branchCredentialsOpenSource is the open-source server's.
type branchCredentials struct {
	Username         string `json:"username"`
	Password         string `json:"password"`
	Hostname         string `json:"hostname"`
	Port             int    `json:"port"`
	DBName           string `json:"dbname"`
	ConnectionString string `json:"connectionString"`
}

// branchCreationDetails is the union of the custom and inherit variants;
// mode picks which fields matter.
type branchCreationDetails struct {
	Name                string                     `json:"name"`
	Mode                string                     `json:"mode"`
	Description         string                     `json:"description"`
	ParentID            string                     `json:"parentID"`
	ScaleToZero         *scaleToZero               `json:"scaleToZero"`
	BackupConfiguration *backupConfigurationInput  `json:"backupConfiguration"`
	Configuration       *clusterConfigurationInput `json:"configuration"`
}

// Inputs use pointers where "absent" and "zero" must be told apart.
type clusterConfigurationInput struct {
	Region                          string            `json:"region"`
	Storage                         *int              `json:"storage"`
	InstanceType                    string            `json:"instanceType"`
	Image                           string            `json:"image"`
	Replicas                        *int              `json:"replicas"`
	PostgresConfigurationParameters map[string]string `json:"postgresConfigurationParameters"`
	PreloadLibraries                []string          `json:"preloadLibraries"`
}

type backupConfigurationInput struct {
	RetentionPeriod *int   `json:"retentionPeriod"`
	BackupTime      string `json:"backupTime"`
}

type branchUpdateDetails struct {
	Name                            *string                   `json:"name"`
	Description                     *string                   `json:"description"`
	Replicas                        *int                      `json:"replicas"`
	Storage                         *int                      `json:"storage"`
	InstanceType                    *string                   `json:"instanceType"`
	Image                           *string                   `json:"image"`
	Hibernate                       *bool                     `json:"hibernate"`
	ScaleToZero                     *scaleToZero              `json:"scaleToZero"`
	BackupConfiguration             *backupConfigurationInput `json:"backupConfiguration"`
	PostgresConfigurationParameters map[string]string         `json:"postgresConfigurationParameters"`
	PreloadLibraries                []string                  `json:"preloadLibraries"`
}

type rotateCredentialsRequest struct {
	Username string `json:"username"`
}

type projectScaleToZero struct {
	BaseBranches  scaleToZero `json:"baseBranches"`
	ChildBranches scaleToZero `json:"childBranches"`
}

type cidrEntry struct {
	CIDR        string `json:"cidr"`
	Description string `json:"description,omitempty"`
}

type ipFiltering struct {
	Enabled bool        `json:"enabled"`
	CIDR    []cidrEntry `json:"cidr"`
}

type projectConfiguration struct {
	ScaleToZero projectScaleToZero `json:"scaleToZero"`
	IPFiltering *ipFiltering       `json:"ipFiltering,omitempty"`
}

type projectWire struct {
	ID            string               `json:"id"`
	Name          string               `json:"name"`
	CreatedAt     time.Time            `json:"createdAt"`
	UpdatedAt     time.Time            `json:"updatedAt"`
	Configuration projectConfiguration `json:"configuration"`
}

type projectScaleToZeroInput struct {
	BaseBranches  *scaleToZero `json:"baseBranches"`
	ChildBranches *scaleToZero `json:"childBranches"`
}

type projectConfigurationInput struct {
	ScaleToZero *projectScaleToZeroInput `json:"scaleToZero"`
	IPFiltering *ipFiltering             `json:"ipFiltering"`
}

type projectRequest struct {
	Name          *string                    `json:"name"`
	Configuration *projectConfigurationInput `json:"configuration"`
}

type projectLimits struct {
	MaxInstances         int `json:"maxInstances"`
	MinInstances         int `json:"minInstances"`
	MaxDescriptionLength int `json:"maxDescriptionLength"`
	MaxBranches          int `json:"maxBranches"`
}

// The organization API is served by the auth service and uses snake_case.
type organizationStatus struct {
	Status          string    `json:"status"`
	DisabledByAdmin bool      `json:"disabled_by_admin"`
	BillingStatus   string    `json:"billing_status"`
	UsageTier       string    `json:"usage_tier"`
	LastUpdated     time.Time `json:"last_updated"`
	CreatedAt       time.Time `json:"created_at"`
}

type organizationWire struct {
	ID          string             `json:"id"`
	Name        string             `json:"name"`
	Status      organizationStatus `json:"status"`
	Marketplace *string            `json:"marketplace"`
}

type regionWire struct {
	ID             string  `json:"id"`
	PublicAccess   bool    `json:"publicAccess"`
	BackupsEnabled bool    `json:"backupsEnabled"`
	OrganizationID *string `json:"organizationId"`
	Provider       string  `json:"provider"`
}

type instanceTypeWire struct {
	Name               string  `json:"name"`
	VCPUs              int     `json:"vcpus"`
	RAM                int     `json:"ram"`
	HourlyRate         float64 `json:"hourlyRate"`
	StorageMonthlyRate float64 `json:"storageMonthlyRate"`
	Region             string  `json:"region"`
}

type imageWire struct {
	Name         string   `json:"name"`
	MajorVersion string   `json:"majorVersion"`
	FullVersion  string   `json:"fullVersion"`
	Region       []string `json:"region,omitempty"`
}

// API keys are served by the auth service and use snake_case.
type apiKeyWire struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Preview      string     `json:"preview"`
	Scopes       []string   `json:"scopes"`
	Projects     []string   `json:"projects"`
	Branches     []string   `json:"branches"`
	CreatedAt    time.Time  `json:"created_at"`
	Expiry       *time.Time `json:"expiry"`
	LastUsed     *time.Time `json:"last_used"`
	CreatedBy    *string    `json:"created_by"`
	CreatedByKey *string    `json:"created_by_key"`
}

type fullAPIKeyWire struct {
	apiKeyWire
	Token string `json:"token"`
}

type createAPIKeyInput struct {
	Name     string     `json:"name"`
	Expiry   *time.Time `json:"expiry"`
	Scopes   []string   `json:"scopes"`
	Projects []string   `json:"projects"`
	Branches []string   `json:"branches"`
}
