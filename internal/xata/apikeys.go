package xata

import (
	"context"
	"net/http"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
)

// Scopes are the scopes an API key can hold (the auth service's scope
// list); "*" grants all of them. A ":write" scope also grants its ":read".
var Scopes = []string{
	"branch:read", "branch:write",
	"credentials:read", "credentials:write",
	"invite:read", "invite:write",
	"keys:read", "keys:write",
	"marketplace:write", "metrics:read",
	"org:read", "org:write",
	"project:read", "project:write",
}

// MaxKeyRestrictions is the most scopes, projects or branches one key may
// list.
const MaxKeyRestrictions = 50

// APIKey is an organization API key as listed (snake_case: the auth
// service's wire format). The token is never listed.
type APIKey struct {
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

// Expired reports whether the key's expiry is before now: the API refuses
// its token but still lists it.
func (k APIKey) Expired(now time.Time) bool { return k.Expiry != nil && k.Expiry.Before(now) }

// NewAPIKey is the answer to a create: the key and, once only, its token.
type NewAPIKey struct {
	APIKey
	Token string `json:"token"`
}

// CreateAPIKeyRequest is the body of POST …/api-keys. An empty list is
// stored as "*" (all).
type CreateAPIKeyRequest struct {
	Name     string     `json:"name"`
	Expiry   *time.Time `json:"expiry,omitempty"`
	Scopes   []string   `json:"scopes,omitempty"`
	Projects []string   `json:"projects,omitempty"`
	Branches []string   `json:"branches,omitempty"`
}

// ListAPIKeys returns the organization's API keys. There is no endpoint
// for one key.
func (c *Client) ListAPIKeys(ctx context.Context, orgID string) ([]APIKey, error) {
	p, err := orgPath(orgID)
	if err != nil {
		return nil, err
	}
	var out struct {
		Keys []APIKey `json:"keys"`
	}
	if err := c.api.Do(ctx, apiclient.Call{Method: http.MethodGet, Path: p + "/api-keys"}, &out); err != nil {
		return nil, err
	}
	return out.Keys, nil
}

// CreateAPIKey mints an organization key. Its name must be unique in the
// organization (409 otherwise); a POST is never retried.
func (c *Client) CreateAPIKey(ctx context.Context, orgID string, req CreateAPIKeyRequest) (*NewAPIKey, error) {
	p, err := orgPath(orgID)
	if err != nil {
		return nil, err
	}
	cl, err := c.api.NewCall(http.MethodPost, p+"/api-keys", nil, req)
	if err != nil {
		return nil, err
	}
	var out struct {
		Key NewAPIKey `json:"key"`
	}
	if err := c.api.Do(ctx, cl, &out); err != nil {
		return nil, err
	}
	return &out.Key, nil
}

// DeleteAPIKeys deletes keys by id; ids the organization does not have
// are ignored by the API.
func (c *Client) DeleteAPIKeys(ctx context.Context, orgID string, ids ...string) error {
	p, err := orgPath(orgID)
	if err != nil {
		return err
	}
	cl, err := c.api.NewCall(http.MethodDelete, p+"/api-keys", nil, map[string][]string{"ids": ids})
	if err != nil {
		return err
	}
	return c.api.Do(ctx, cl, nil)
}
