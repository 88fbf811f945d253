package xataemu

import (
	"strconv"
	"sync"
	"time"
)

// Status types of BranchStatus.statusType.
const (
	statusUnspecified = "STATUS_TYPE_UNSPECIFIED"
	statusHealthy     = "STATUS_TYPE_HEALTHY"
	statusTransient   = "STATUS_TYPE_TRANSIENT"
	statusFault       = "STATUS_TYPE_FAULT"
	statusHibernated  = "STATUS_TYPE_HIBERNATED"
)

// CNPG phase strings reported in status.status.
const (
	phaseHealthy   = "Cluster in healthy state"
	phaseSettingUp = "Setting up primary"
	phaseApplying  = "Applying configuration"
	phaseWaking    = "Waiting for the instances to become active"
	// The real phase of a hibernated cluster is undocumented; this is the
	// message of CNPG's hibernation condition.
	phaseHibernated = "Cluster has been hibernated"
	phaseFault      = "Cluster is in an unrecoverable state, needs manual intervention"
)

var defaultPhase = map[string]string{
	statusUnspecified: "unknown",
	statusHealthy:     phaseHealthy,
	statusTransient:   phaseApplying,
	statusFault:       phaseFault,
	statusHibernated:  phaseHibernated,
}

// branch is the emulator's record of a live branch. All fields are guarded
// by Emulator.mu.
type branch struct {
	id, projectID, name, description string
	parentID                         string // "" for a root branch
	createdAt, updatedAt             time.Time
	region                           string
	publicAccess, backupsEnabled     bool

	instanceType, image string
	replicas, storage   int
	// pgParams holds only parameters the user set; GET merges defaults in.
	pgParams         map[string]string
	preloadLibraries []string
	scaleToZero      scaleToZero
	backup           backupConfiguration

	// Clock-driven status: the cluster object appears a third of the
	// provisioning time after creation and is healthy at provisionedAt.
	clusterAt, provisionedAt time.Time
	credentialsAt            time.Time // the credentials secret exists from then on
	busyUntil                time.Time // a PATCH keeps it TRANSIENT until then
	busyPhase                string
	hibernated               bool
	pinType, pinStatus       string // SetBranchStatus override

	// Credentials of the branch's user: in Postgres mode a real role that
	// owns database; in memory "xata"/"xata".
	username, password, database string
	// rotateMu serialises password rotations (not guarded by mu) so the
	// role's password in Postgres and the one handed out cannot diverge.
	rotateMu sync.Mutex
}

// provisioned reports whether the branch has become healthy once, which is
// when its credentials secret exists.
func (b *branch) provisioned(now time.Time) bool { return !now.Before(b.provisionedAt) }

func (b *branch) status(now time.Time) branchStatus {
	n := b.replicas + 1
	switch {
	case b.pinType != "":
		ready := 0
		if b.pinType == statusHealthy {
			ready = n
		}
		return b.makeStatus(b.pinType, b.pinStatus, n, ready)
	case now.Before(b.clusterAt):
		// Before the CNPG cluster object exists the platform reports this
		// default, so a brand-new branch briefly looks hibernated.
		return branchStatus{
			Status: phaseHealthy, StatusType: statusHibernated, Message: phaseHealthy,
			Instances: []instanceStatus{},
		}
	case now.Before(b.provisionedAt):
		return b.makeStatus(statusTransient, phaseSettingUp, n, 0)
	case b.hibernated:
		st := b.makeStatus(statusHibernated, phaseHibernated, n, 0)
		st.Instances = []instanceStatus{} // hibernation removes the pods
		return st
	case now.Before(b.busyUntil):
		ready := n
		if b.busyPhase == phaseWaking {
			ready = 0
		}
		return b.makeStatus(statusTransient, b.busyPhase, n, ready)
	}
	return b.makeStatus(statusHealthy, phaseHealthy, n, n)
}

func (b *branch) makeStatus(statusType, phase string, count, ready int) branchStatus {
	st := branchStatus{
		Status: phase, StatusType: statusType, Message: phase,
		InstanceCount: count, InstanceReadyCount: ready,
		Instances: make([]instanceStatus, count),
	}
	for i := range st.Instances {
		state := "healthy"
		if i >= ready {
			state = "pending"
		}
		st.Instances[i] = instanceStatus{
			ID:     b.id + "-" + strconv.Itoa(i+1),
			Status: state, Primary: i == 0, TargetPrimary: i == 0,
		}
	}
	return st
}
