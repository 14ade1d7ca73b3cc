package scenario

import "testing"

func TestErrorFormatWithoutPlace(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "s.yaml", Line: 3, Key: "target.url", Msg: "required"}, "s.yaml:3: target.url: required"},
		{Error{File: "s.yaml", Msg: "empty file"}, "s.yaml: empty file"},
		{Error{Key: "plan.headroom", Msg: "want a percentage"}, "plan.headroom: want a percentage"},
		{Error{Msg: "no rows"}, "no rows"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
