package bot

import (
	"fmt"
	"strings"
)

// Command is a declarative text command. Name and every alias must be
// unique across all commands; Role is the least role allowed to run it
// (rep < manager < admin).
type Command struct {
	Name    string
	Aliases []string
	// Usage is shown on wrong arguments, e.g. "医生 <姓名>".
	Usage   string
	Summary string
	Role    Role
	// Only limits the command to Role itself: 签到 and 反馈 are a rep's own
	// day, so a manager's or admin's 帮助 does not list them.
	Only bool
	// Tip is a how-to line 帮助 shows under the command to users of Role
	// itself (a rep's 改计划 under 我的名单).
	Tip     string
	MinArgs int
	// MaxArgs < 0 means unlimited.
	MaxArgs int
	// Admin commands are written to the audit log.
	Audited bool
	// Refusal answers a user below Role (empty: MsgNoPermission), so a
	// command can say whom to ask.
	Refusal string
	Run     func(req *Request, args []string) (Reply, error)
}

// Commands is a registry of commands keyed by every name and alias.
type Commands struct {
	list  []*Command
	index map[string]*Command
}

// NewCommands returns an empty registry.
func NewCommands() *Commands { return &Commands{index: map[string]*Command{}} }

// Add registers c; a name or alias already taken is an error.
func (cs *Commands) Add(c Command) error {
	if c.Name == "" || c.Run == nil {
		return fmt.Errorf("command %q: name and Run are required", c.Name)
	}
	if c.Role == "" {
		c.Role = RoleRep
	}
	cp := &c
	for _, n := range append([]string{c.Name}, c.Aliases...) {
		k := strings.ToLower(n)
		if other, dup := cs.index[k]; dup {
			return fmt.Errorf("command name %q of %q is already used by %q", n, c.Name, other.Name)
		}
	}
	for _, n := range append([]string{c.Name}, c.Aliases...) {
		cs.index[strings.ToLower(n)] = cp
	}
	cs.list = append(cs.list, cp)
	return nil
}

// All lists the registered commands in registration order.
func (cs *Commands) All() []*Command { return cs.list }

// Match finds the command named by the first word of text ("/" prefix allowed).
func (cs *Commands) Match(text string) (*Command, []string, bool) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return nil, nil, false
	}
	name := strings.ToLower(strings.TrimPrefix(fields[0], "/"))
	c, ok := cs.index[name]
	if !ok {
		return nil, nil, false
	}
	return c, fields[1:], true
}

// Allowed reports whether u may run c.
func (c *Command) Allowed(u User) bool {
	if c.Only {
		return u.Role == c.Role
	}
	return u.Role.Rank() >= c.Role.Rank()
}

func (cs *Commands) run(req *Request, c *Command, args []string, audit Auditor) (Reply, error) {
	if !c.Allowed(req.User) {
		if c.Refusal != "" {
			return Text(c.Refusal), nil
		}
		return Text(MsgNoPermission), nil
	}
	if len(args) < c.MinArgs || (c.MaxArgs >= 0 && len(args) > c.MaxArgs) {
		return Textf("用法：%s", c.Usage), nil
	}
	reply, err := c.Run(req, args)
	if err != nil {
		return reply, err
	}
	if c.Audited {
		if err := audit.Audit(req.Ctx, req.User.ID, "command:"+c.Name, strings.Join(args, " "), map[string]any{"args": args, "platform": req.Event.Platform}); err != nil {
			return Reply{}, fmt.Errorf("audit: %w", err)
		}
	}
	return reply, nil
}

// addHelp registers 帮助/help, generated from the registry and filtered by role.
func (cs *Commands) addHelp() {
	if _, ok := cs.index["help"]; ok {
		return
	}
	_ = cs.Add(Command{
		Name: "帮助", Aliases: []string{"help", "?", "？"}, Usage: "帮助", Summary: "查看可用指令",
		Role: RoleRep, MaxArgs: -1,
		Run: func(req *Request, _ []string) (Reply, error) { return Text(cs.Help(req.User)), nil },
	})
}

// Help is the command list a user may run, one line each.
func (cs *Commands) Help(u User) string {
	var lines []string
	for _, c := range cs.list {
		if !c.Allowed(u) {
			continue
		}
		names := c.Name
		if len(c.Aliases) > 0 {
			names += " / " + strings.Join(c.Aliases, " / ")
		}
		lines = append(lines, fmt.Sprintf("• %s — %s（用法：%s）", names, c.Summary, c.Usage))
		if c.Tip != "" && u.Role == c.Role {
			lines = append(lines, "  "+c.Tip)
		}
	}
	return "可用指令：\n" + strings.Join(lines, "\n")
}
