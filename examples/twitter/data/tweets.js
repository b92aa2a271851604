window.YTD.tweets.part0 = [
  {
    "tweet": {
      "retweeted": false,
      "source": "<a href=\"http://twitter.com\" rel=\"nofollow\">web</a>",
      "entities": {
        "hashtags": [],
        "symbols": [],
        "user_mentions": [],
        "urls": []
      },
      "display_text_range": [
        "0",
        "9"
      ],
      "favorite_count": "0",
      "id_str": "824800106",
      "id": "824800106",
      "truncated": false,
      "retweet_count": "0",
      "created_at": "Sat May 31 03:00:00 +0000 2008",
      "favorited": false,
      "full_text": "晴れた！布団を干す",
      "lang": "ja"
    }
  },
  {
    "tweet": {
      "retweeted": false,
      "source": "<a href=\"http://twitter.com\" rel=\"nofollow\">web</a>",
      "entities": {
        "hashtags": [],
        "symbols": [],
        "user_mentions": [],
        "urls": [
          {
            "url": "https://t.co/KkHs0531yz",
            "expanded_url": "https://taro.example.jp/entry/2008/05/31/kakehashi",
            "display_url": "taro.example.jp/entry/2008/05…",
            "indices": [
              "23",
              "46"
            ]
          }
        ]
      },
      "display_text_range": [
        "0",
        "46"
      ],
      "favorite_count": "0",
      "id_str": "824700105",
      "id": "824700105",
      "truncated": false,
      "retweet_count": "0",
      "created_at": "Sat May 31 00:20:00 +0000 2008",
      "favorited": false,
      "full_text": "ブログ書いた: Kakehashi を作った https://t.co/KkHs0531yz",
      "lang": "ja"
    }
  },
  {
    "tweet": {
      "retweeted": false,
      "source": "<a href=\"http://twitter.com\" rel=\"nofollow\">web</a>",
      "entities": {
        "hashtags": [],
        "symbols": [],
        "user_mentions": [],
        "urls": [
          {
            "url": "https://t.co/DiAry0530x",
            "expanded_url": "http://d.hatena.ne.jp/taro/20080530/1212150896",
            "display_url": "d.hatena.ne.jp/taro/20080530/…",
            "indices": [
              "16",
              "39"
            ]
          }
        ]
      },
      "display_text_range": [
        "0",
        "39"
      ],
      "favorite_count": "0",
      "id_str": "824510104",
      "id": "824510104",
      "truncated": false,
      "retweet_count": "0",
      "created_at": "Fri May 30 12:40:00 +0000 2008",
      "favorited": false,
      "full_text": "日記書いた: 京都で髙橋さんと https://t.co/DiAry0530x",
      "lang": "ja"
    }
  },
  {
    "tweet": {
      "retweeted": false,
      "source": "<a href=\"http://twitter.com\" rel=\"nofollow\">web</a>",
      "entities": {
        "hashtags": [],
        "symbols": [],
        "user_mentions": [],
        "urls": []
      },
      "display_text_range": [
        "0",
        "15"
      ],
      "favorite_count": "0",
      "id_str": "824500123",
      "id": "824500123",
      "truncated": false,
      "retweet_count": "0",
      "created_at": "Fri May 30 12:34:50 +0000 2008",
      "favorited": false,
      "full_text": "梅雨入りしたらしい。傘がない。",
      "lang": "ja"
    }
  },
  {
    "tweet": {
      "retweeted": false,
      "source": "<a href=\"http://twitter.com\" rel=\"nofollow\">web</a>",
      "entities": {
        "hashtags": [],
        "symbols": [],
        "user_mentions": [],
        "urls": []
      },
      "display_text_range": [
        "0",
        "17"
      ],
      "favorite_count": "0",
      "id_str": "824490103",
      "id": "824490103",
      "truncated": false,
      "retweet_count": "0",
      "created_at": "Fri May 30 09:45:00 +0000 2008",
      "favorited": false,
      "full_text": "鴨川の夕焼けがきれい。三条大橋から",
      "lang": "ja"
    }
  },
  {
    "tweet": {
      "retweeted": false,
      "source": "<a href=\"http://twitter.com\" rel=\"nofollow\">web</a>",
      "entities": {
        "hashtags": [],
        "symbols": [],
        "user_mentions": [
          {
            "name": "花子",
            "screen_name": "hanako",
            "indices": [
              "0",
              "7"
            ],
            "id_str": "14140002",
            "id": "14140002"
          }
        ],
        "urls": []
      },
      "display_text_range": [
        "0",
        "21"
      ],
      "favorite_count": "0",
      "id_str": "824450102",
      "id": "824450102",
      "truncated": false,
      "retweet_count": "0",
      "created_at": "Fri May 30 03:30:00 +0000 2008",
      "favorited": false,
      "full_text": "@hanako 傘を忘れた。駅で待ってます",
      "lang": "ja",
      "in_reply_to_screen_name": "hanako",
      "in_reply_to_user_id_str": "14140002",
      "in_reply_to_status_id_str": "824440000"
    }
  },
  {
    "tweet": {
      "retweeted": false,
      "source": "<a href=\"http://twitter.com\" rel=\"nofollow\">web</a>",
      "entities": {
        "hashtags": [],
        "symbols": [],
        "user_mentions": [],
        "urls": []
      },
      "display_text_range": [
        "0",
        "14"
      ],
      "favorite_count": "0",
      "id_str": "824400101",
      "id": "824400101",
      "truncated": false,
      "retweet_count": "0",
      "created_at": "Fri May 30 00:05:00 +0000 2008",
      "favorited": false,
      "full_text": "おはよう。今日は一日雨らしい",
      "lang": "ja"
    }
  }
]
