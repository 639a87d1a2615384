package dingtalk

// CallbackTypeOf is the callbackType m creates advanced cards with, for the
// external tests that wire the adapter through the app.
func CallbackTypeOf(m *Messenger) string { return m.opt.CallbackType }

// StreamDone is closed once a's Stream transport stopped (nil before Start).
func StreamDone(a *Adapter) <-chan struct{} { return a.stream.Done() }
