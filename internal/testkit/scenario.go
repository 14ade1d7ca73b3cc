package testkit

// GetScenario is the text of a scenario called name with one request,
// get /, against target (the contents of a flow mapping: "url: builtin,
// builtin: {…}"); rest follows the requests (slo:, profiles:, plan:).
func GetScenario(name, target, rest string) string {
	return "version: 1\nname: " + name + "\ntarget: {" + target + "}\nrequests: [{name: get, path: /}]\n" + rest
}
