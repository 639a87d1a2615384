package bot

// Chinese texts the bot answers with when nothing more specific applies.
const (
	MsgUnknownUser         = "您好，您还没有开通拜访助手，请联系管理员为您开通账号。"
	MsgUnknownCommand      = "没有听懂这条指令。发送「帮助」查看可用指令。"
	MsgEmptyText           = "请输入指令，发送「帮助」查看可用指令。"
	MsgNoPermission        = "抱歉，您没有权限使用这条指令。"
	MsgCardExpired         = "这张卡片已失效，请发送「我的名单」获取最新内容。"
	MsgNotYourCard         = "这张卡片不属于您，无法操作。"
	MsgLocationUnsupported = "已收到位置，但当前没有需要签到的拜访。"
)
