window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "taro@example.com",
      "createdVia" : "web",
      "username" : "taro",
      "accountId" : "11111",
      "createdAt" : "2008-05-01T01:02:03.000Z",
      "accountDisplayName" : "太郎"
    }
  }
]
