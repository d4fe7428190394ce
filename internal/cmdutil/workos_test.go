package cmdutil

import (
	"errors"
	"testing"
)

func TestWorkOSBaseURL(t *testing.T) {
	for _, tt := range []struct {
		flag, env, want, wantErr string
	}{
		{"", "", "https://api.workos.com", ""},
		{"", "http://127.0.0.1:4100/", "http://127.0.0.1:4100", ""},
		{"https://staging.example.com//", "http://127.0.0.1:4100", "https://staging.example.com", ""},
		{"", "http://localhost:4100", "http://localhost:4100", ""},
		{"api.workos.com", "", "", `--workos-url: invalid WorkOS base URL "api.workos.com": want https://host (or http://127.0.0.1:port for a local emulator)`},
		{"", "127.0.0.1:4100", "", `WORKOS_BASE_URL: invalid WorkOS base URL "127.0.0.1:4100": want https://host (or http://127.0.0.1:port for a local emulator)`},
		// The key would cross the network in cleartext.
		{"http://api.workos.com", "", "", `--workos-url: WorkOS base URL "http://api.workos.com" uses http:// on a host that is not this machine: credentials would be sent in cleartext`},
		{"", "http://10.0.0.5:4100", "", `WORKOS_BASE_URL: WorkOS base URL "http://10.0.0.5:4100" uses http:// on a host that is not this machine: credentials would be sent in cleartext`},
		{"https://user:pw@api.workos.com", "", "", `--workos-url: invalid WorkOS base URL: it must not contain user information (user:password@)`},
	} {
		got, err := WorkOSBaseURL(tt.flag, map[string]string{"WORKOS_BASE_URL": tt.env})
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("WorkOSBaseURL(%q, %q) = %q, %v; want %q", tt.flag, tt.env, got, err, tt.want)
			}
			continue
		}
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != ExitUsage || ce.Error() != tt.wantErr || ce.Hint == "" {
			t.Errorf("WorkOSBaseURL(%q, %q) = %q, %#v; want a usage error %q with a hint", tt.flag, tt.env, got, err, tt.wantErr)
		}
	}
}
