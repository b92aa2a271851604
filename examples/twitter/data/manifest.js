window.__THAR_CONFIG = {
  "userInfo" : {
    "accountId" : "14140001",
    "userName" : "taro",
    "displayName" : "太郎"
  },
  "archiveInfo" : {
    "sizeBytes" : "6144",
    "generationDate" : "2024-06-10T01:02:03.000Z",
    "isPartialArchive" : false,
    "maxPartSizeBytes" : "53687091200"
  },
  "dataTypes" : {
    "account" : {
      "files" : [
        {
          "fileName" : "data/account.js",
          "globalName" : "YTD.account.part0",
          "count" : "1"
        }
      ]
    },
    "tweets" : {
      "mediaDirectory" : "data/tweets_media",
      "files" : [
        {
          "fileName" : "data/tweets.js",
          "globalName" : "YTD.tweets.part0",
          "count" : "7"
        }
      ]
    }
  }
}
