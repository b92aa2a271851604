window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "taro@example.jp",
      "createdVia" : "web",
      "username" : "taro",
      "accountId" : "14140001",
      "createdAt" : "2008-03-20T03:00:00.000Z",
      "accountDisplayName" : "太郎"
    }
  }
]
