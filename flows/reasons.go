package flows

// MsgReasonsUnreadable stands in for stored reasons that do not decode (a
// damaged row): the page or card says so instead of showing none; the error
// is logged.
const MsgReasonsUnreadable = "（理由数据已损坏，暂时无法显示，请联系管理员）"
