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
		{"api.workos.com", "", "", `--workos-url: invalid WorkOS base URL "api.workos.com": want http(s)://host`},
		{"", "127.0.0.1:4100", "", `WORKOS_BASE_URL: invalid WorkOS base URL "127.0.0.1:4100": want http(s)://host`},
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
