package acctest

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// WarningRecorder serves the provider and records the warnings it returns,
// with the RPC that returned each: terraform-plugin-testing asserts errors
// only, and Terraform prints a warning without failing.
type WarningRecorder struct {
	mu       sync.Mutex
	warnings []recordedWarning
}

type recordedWarning struct {
	rpc  string // e.g. "PlanResourceChange"
	text string // "summary\ndetail"
}

// Factories serves the provider as Factories does, recording. The
// recording server is a plain ProviderServer: list resources and actions
// cannot run through it.
func (w *WarningRecorder) Factories(t *testing.T) map[string]func() (tfprotov6.ProviderServer, error) {
	t.Helper()
	serve := Factories(t)["xata"]
	return map[string]func() (tfprotov6.ProviderServer, error){
		"xata": func() (tfprotov6.ProviderServer, error) {
			s, err := serve()
			if err != nil {
				return nil, err
			}
			return &recordingServer{ProviderServer: s, rec: w}, nil
		},
	}
}

// Take returns the warnings recorded since the last take that these RPCs
// returned (any RPC's when none is named), and forgets all recorded.
func (w *WarningRecorder) Take(rpcs ...string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, r := range w.warnings {
		if len(rpcs) == 0 || slices.Contains(rpcs, r.rpc) {
			out = append(out, r.text)
		}
	}
	w.warnings = nil
	return out
}

func (w *WarningRecorder) record(rpc string, diags []*tfprotov6.Diagnostic) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityWarning {
			w.warnings = append(w.warnings, recordedWarning{rpc, d.Summary + "\n" + d.Detail})
		}
	}
}

// recordingServer passes every RPC through, recording the warnings of
// those that return diagnostics for the provider's configuration,
// resources, data sources and ephemeral resources.
type recordingServer struct {
	tfprotov6.ProviderServer
	rec *WarningRecorder
}

// recorded calls rpc and records the warnings of its response.
func recorded[Req, Resp any](s *recordingServer, name string, ctx context.Context, req Req,
	rpc func(context.Context, Req) (Resp, error), diags func(Resp) []*tfprotov6.Diagnostic,
) (Resp, error) {
	resp, err := rpc(ctx, req)
	if err == nil {
		s.rec.record(name, diags(resp))
	}
	return resp, err
}

func (s *recordingServer) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return recorded(s, "ValidateProviderConfig", ctx, req, s.ProviderServer.ValidateProviderConfig,
		func(r *tfprotov6.ValidateProviderConfigResponse) []*tfprotov6.Diagnostic { return r.Diagnostics })
}

func (s *recordingServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return recorded(s, "ConfigureProvider", ctx, req, s.ProviderServer.ConfigureProvider,
		func(r *tfprotov6.ConfigureProviderResponse) []*tfprotov6.Diagnostic { return r.Diagnostics })
}

func (s *recordingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return recorded(s, "ValidateResourceConfig", ctx, req, s.ProviderServer.ValidateResourceConfig,
		func(r *tfprotov6.ValidateResourceConfigResponse) []*tfprotov6.Diagnostic { return r.Diagnostics })
}

func (s *recordingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return recorded(s, "ReadResource", ctx, req, s.ProviderServer.ReadResource,
		func(r *tfprotov6.ReadResourceResponse) []*tfprotov6.Diagnostic { return r.Diagnostics })
}

func (s *recordingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return recorded(s, "PlanResourceChange", ctx, req, s.ProviderServer.PlanResourceChange,
		func(r *tfprotov6.PlanResourceChangeResponse) []*tfprotov6.Diagnostic { return r.Diagnostics })
}

func (s *recordingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return recorded(s, "ApplyResourceChange", ctx, req, s.ProviderServer.ApplyResourceChange,
		func(r *tfprotov6.ApplyResourceChangeResponse) []*tfprotov6.Diagnostic { return r.Diagnostics })
}

func (s *recordingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return recorded(s, "ImportResourceState", ctx, req, s.ProviderServer.ImportResourceState,
		func(r *tfprotov6.ImportResourceStateResponse) []*tfprotov6.Diagnostic { return r.Diagnostics })
}

func (s *recordingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return recorded(s, "ValidateDataResourceConfig", ctx, req, s.ProviderServer.ValidateDataResourceConfig,
		func(r *tfprotov6.ValidateDataResourceConfigResponse) []*tfprotov6.Diagnostic { return r.Diagnostics })
}

func (s *recordingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return recorded(s, "ReadDataSource", ctx, req, s.ProviderServer.ReadDataSource,
		func(r *tfprotov6.ReadDataSourceResponse) []*tfprotov6.Diagnostic { return r.Diagnostics })
}

func (s *recordingServer) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return recorded(s, "ValidateEphemeralResourceConfig", ctx, req, s.ProviderServer.ValidateEphemeralResourceConfig,
		func(r *tfprotov6.ValidateEphemeralResourceConfigResponse) []*tfprotov6.Diagnostic {
			return r.Diagnostics
		})
}

func (s *recordingServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return recorded(s, "OpenEphemeralResource", ctx, req, s.ProviderServer.OpenEphemeralResource,
		func(r *tfprotov6.OpenEphemeralResourceResponse) []*tfprotov6.Diagnostic { return r.Diagnostics })
}
