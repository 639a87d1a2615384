package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"

	"visitbot/models"
)

const outboxUsage = "outbox list [-status pending|sending|sent|dead] [-limit N] | outbox replay <id|all-dead>"

// runOutbox is `visitbot outbox list|replay`: the admin's view of the
// outbound queue and its dead letters.
func runOutbox(ctx context.Context, env *cliEnv, args []string) error {
	return subcommands(ctx, env, args, outboxUsage, map[string]func(context.Context, *cliEnv, []string) error{"list": runOutboxList, "replay": runOutboxReplay})
}

func runOutboxList(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "outbox list", "outbox list [-status pending|sending|sent|dead] [-limit N]")
	status := fs.String("status", "", "only messages with this status (default: all)")
	limit := fs.Int("limit", 50, "newest messages to show (1-1000)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	switch *status {
	case "", models.OutboxPending, models.OutboxSending, models.OutboxSent, models.OutboxDead:
	default:
		return fmt.Errorf("-status %q: want pending, sending, sent or dead", *status)
	}
	if *limit < 1 || *limit > 1000 {
		return fmt.Errorf("-limit must be 1-1000, got %d", *limit)
	}
	a, err := env.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	depth, err := a.Store.Outbox.OutboxDepth(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "pending %d · sending %d · sent %d · dead %d\n\n",
		depth[models.OutboxPending], depth[models.OutboxSending], depth[models.OutboxSent], depth[models.OutboxDead])
	rows, err := a.Store.Outbox.OutboxMessages(ctx, *status, *limit)
	if err != nil {
		return err
	}
	loc := a.Config.Location()
	tw := tabwriter.NewWriter(env.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tPLATFORM\tUSER\tPURPOSE\tKIND\tTRIES\tWHEN\tLAST ERROR")
	for _, m := range rows {
		when := "next " + m.NextAttemptAt.In(loc).Format("01-02 15:04:05")
		if m.SentAt != nil {
			when = "sent " + m.SentAt.In(loc).Format("01-02 15:04:05")
		} else if m.Status == models.OutboxDead {
			when = "dead " + m.UpdatedAt.In(loc).Format("01-02 15:04:05")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%d\t%s\t%s\n", m.ID, m.Status, m.Platform, m.RecipientID, m.Purpose, m.Kind, m.Attempts, when, firstLine(m.LastError, 80))
	}
	if len(rows) == 0 {
		fmt.Fprintln(tw, "(none)")
	}
	return tw.Flush()
}

func runOutboxReplay(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "outbox replay", "outbox replay <id|all-dead>")
	pos, err := parsePositional(fs, args, 1, errors.New("give one message id or all-dead"))
	if err != nil {
		return err
	}
	var id uint64
	if pos[0] != "all-dead" {
		if id, err = strconv.ParseUint(pos[0], 10, 64); err != nil || id == 0 {
			return fmt.Errorf("%q is neither a message id nor all-dead", pos[0])
		}
	}
	a, err := env.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if id == 0 {
		n, err := a.Store.Outbox.ReplayDeadOutbox(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%d dead messages queued again\n", n)
		return nil
	}
	if err := a.Store.Outbox.ReplayOutbox(ctx, uint(id)); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("no outbox message %d", id)
		}
		return err
	}
	fmt.Fprintf(env.stdout, "message %d queued again\n", id)
	return nil
}
