window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1797192932520890437"
          ],
          "editableUntil" : "2024-06-02T10:06:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ ]
      },
      "display_text_range" : [
        "0",
        "11"
      ],
      "favorite_count" : "0",
      "in_reply_to_status_id_str" : "1797192680862650436",
      "id_str" : "1797192932520890437",
      "in_reply_to_user_id" : "11111",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1797192932520890437",
      "in_reply_to_status_id" : "1797192680862650436",
      "created_at" : "Sun Jun 02 09:06:00 +0000 2024",
      "favorited" : false,
      "full_text" : "(続き) 色は紺色です",
      "lang" : "ja",
      "in_reply_to_screen_name" : "taro",
      "in_reply_to_user_id_str" : "11111"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1797192680862650436"
          ],
          "editableUntil" : "2024-06-02T10:05:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/iphone\" rel=\"nofollow\">Twitter for iPhone</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ ],
        "media" : [
          {
            "expanded_url" : "https://x.com/taro/status/1797192680862650436/photo/1",
            "indices" : [
              "9",
              "32"
            ],
            "url" : "https://t.co/PhOtO12345",
            "media_url" : "http://pbs.twimg.com/media/GPaBcDeFgH1.jpg",
            "id_str" : "1797192670000000000",
            "id" : "1797192670000000000",
            "media_url_https" : "https://pbs.twimg.com/media/GPaBcDeFgH1.jpg",
            "sizes" : {
              "small" : { "w" : "680", "h" : "510", "resize" : "fit" },
              "thumb" : { "w" : "150", "h" : "150", "resize" : "crop" },
              "large" : { "w" : "2048", "h" : "1536", "resize" : "fit" },
              "medium" : { "w" : "1200", "h" : "900", "resize" : "fit" }
            },
            "type" : "photo",
            "display_url" : "pic.x.com/PhOtO12345"
          }
        ]
      },
      "display_text_range" : [
        "0",
        "8"
      ],
      "favorite_count" : "5",
      "id_str" : "1797192680862650436",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1797192680862650436",
      "possibly_sensitive" : false,
      "created_at" : "Sun Jun 02 09:05:00 +0000 2024",
      "favorited" : false,
      "full_text" : "新しい傘を買った https://t.co/PhOtO12345",
      "lang" : "ja",
      "extended_entities" : {
        "media" : [
          {
            "expanded_url" : "https://x.com/taro/status/1797192680862650436/photo/1",
            "indices" : [
              "9",
              "32"
            ],
            "url" : "https://t.co/PhOtO12345",
            "media_url" : "http://pbs.twimg.com/media/GPaBcDeFgH1.jpg",
            "id_str" : "1797192670000000000",
            "id" : "1797192670000000000",
            "media_url_https" : "https://pbs.twimg.com/media/GPaBcDeFgH1.jpg",
            "sizes" : {
              "small" : { "w" : "680", "h" : "510", "resize" : "fit" },
              "thumb" : { "w" : "150", "h" : "150", "resize" : "crop" },
              "large" : { "w" : "2048", "h" : "1536", "resize" : "fit" },
              "medium" : { "w" : "1200", "h" : "900", "resize" : "fit" }
            },
            "type" : "photo",
            "display_url" : "pic.x.com/PhOtO12345",
            "ext_alt_text" : "紺色の傘"
          }
        ]
      }
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1797059427824570435"
          ],
          "editableUntil" : "2024-06-02T01:15:30.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [
          {
            "name" : "花子",
            "screen_name" : "hanako",
            "indices" : [
              "3",
              "10"
            ],
            "id_str" : "22222",
            "id" : "22222"
          }
        ],
        "urls" : [
          {
            "url" : "https://t.co/XyZ987abcd",
            "expanded_url" : "https://hanako.example.jp/diary/2024/06/02",
            "display_url" : "hanako.example.jp/diary/2024/06/…",
            "indices" : [
              "35",
              "58"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "58"
      ],
      "favorite_count" : "0",
      "id_str" : "1797059427824570435",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1797059427824570435",
      "created_at" : "Sun Jun 02 00:15:30 +0000 2024",
      "favorited" : false,
      "full_text" : "RT @hanako: 今日の東京は雨でした。傘を忘れずに！ https://t.co/XyZ987abcd",
      "lang" : "ja"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1796889432683450434"
          ],
          "editableUntil" : "2024-06-01T14:00:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [
          {
            "name" : "花子",
            "screen_name" : "hanako",
            "indices" : [
              "0",
              "7"
            ],
            "id_str" : "22222",
            "id" : "22222"
          }
        ],
        "urls" : [ ]
      },
      "display_text_range" : [
        "8",
        "24"
      ],
      "favorite_count" : "1",
      "in_reply_to_status_id_str" : "1796874333189050448",
      "id_str" : "1796889432683450434",
      "in_reply_to_user_id" : "22222",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1796889432683450434",
      "in_reply_to_status_id" : "1796874333189050448",
      "created_at" : "Sat Jun 01 13:00:00 +0000 2024",
      "favorited" : false,
      "full_text" : "@hanako そうですね &lt;3 また明日",
      "lang" : "ja",
      "in_reply_to_screen_name" : "hanako",
      "in_reply_to_user_id_str" : "22222"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1796883124450234433"
          ],
          "editableUntil" : "2024-06-01T13:34:56.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "梅雨",
            "indices" : [
              "10",
              "13"
            ]
          }
        ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [
          {
            "url" : "https://t.co/AbCdEf1234",
            "expanded_url" : "https://taro.hatenablog.com/entry/2024/06/01/213000",
            "display_url" : "taro.hatenablog.com/entry/2024/06…",
            "indices" : [
              "15",
              "38"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "38"
      ],
      "favorite_count" : "2",
      "id_str" : "1796883124450234433",
      "truncated" : false,
      "retweet_count" : "1",
      "id" : "1796883124450234433",
      "created_at" : "Sat Jun 01 12:34:56 +0000 2024",
      "favorited" : false,
      "full_text" : "梅雨入り &amp; 傘 #梅雨 🎉https://t.co/AbCdEf1234",
      "lang" : "ja"
    }
  }
]
