package dingtalk

import "strings"

// textAsMarkdown keeps a plain chat text's line breaks in DingTalk
// markdown, which joins single newlines: each line ends with two spaces.
func textAsMarkdown(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	return strings.Join(lines, "  \n")
}
