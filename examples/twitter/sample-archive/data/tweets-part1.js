window.YTD.tweets.part1 = [
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [
          {
            "url" : "https://t.co/QuOtE11111",
            "expanded_url" : "https://twitter.com/hanako/status/1105045698769850449",
            "display_url" : "twitter.com/hanako/status/…",
            "indices" : [
              "6",
              "29"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "29"
      ],
      "favorite_count" : "3",
      "id_str" : "1105066473157562439",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1105066473157562439",
      "created_at" : "Mon Mar 11 11:22:33 +0000 2019",
      "favorited" : false,
      "full_text" : "これ面白い https://t.co/QuOtE11111",
      "lang" : "ja"
    }
  },
  {
    "tweet" : {
      "retweeted" : false,
      "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
      "entities" : {
        "hashtags" : [ ],
        "symbols" : [ ],
        "user_mentions" : [ ],
        "urls" : [ ],
        "media" : [
          {
            "expanded_url" : "https://twitter.com/taro/status/1104578642047930438/video/1",
            "indices" : [
              "6",
              "29"
            ],
            "url" : "https://t.co/ViDeO54321",
            "media_url" : "http://pbs.twimg.com/ext_tw_video_thumb/1104578600000000000/pu/img/AbCdEfGhIjKl.jpg",
            "id_str" : "1104578600000000000",
            "id" : "1104578600000000000",
            "media_url_https" : "https://pbs.twimg.com/ext_tw_video_thumb/1104578600000000000/pu/img/AbCdEfGhIjKl.jpg",
            "sizes" : {
              "thumb" : { "w" : "150", "h" : "150", "resize" : "crop" },
              "large" : { "w" : "1280", "h" : "720", "resize" : "fit" }
            },
            "type" : "photo",
            "display_url" : "pic.twitter.com/ViDeO54321"
          }
        ]
      },
      "display_text_range" : [
        "0",
        "5"
      ],
      "favorite_count" : "0",
      "id_str" : "1104578642047930438",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1104578642047930438",
      "created_at" : "Sun Mar 10 03:04:05 +0000 2019",
      "favorited" : false,
      "full_text" : "動画テスト https://t.co/ViDeO54321",
      "lang" : "ja",
      "extended_entities" : {
        "media" : [
          {
            "expanded_url" : "https://twitter.com/taro/status/1104578642047930438/video/1",
            "indices" : [
              "6",
              "29"
            ],
            "url" : "https://t.co/ViDeO54321",
            "media_url" : "http://pbs.twimg.com/ext_tw_video_thumb/1104578600000000000/pu/img/AbCdEfGhIjKl.jpg",
            "id_str" : "1104578600000000000",
            "video_info" : {
              "aspect_ratio" : [
                "16",
                "9"
              ],
              "duration_millis" : "5005",
              "variants" : [
                {
                  "bitrate" : "832000",
                  "content_type" : "video/mp4",
                  "url" : "https://video.twimg.com/ext_tw_video/1104578600000000000/pu/vid/640x360/LoWrAtE01.mp4?tag=8"
                },
                {
                  "content_type" : "application/x-mpegURL",
                  "url" : "https://video.twimg.com/ext_tw_video/1104578600000000000/pu/pl/PlAyLiSt01.m3u8?tag=8"
                },
                {
                  "bitrate" : "2176000",
                  "content_type" : "video/mp4",
                  "url" : "https://video.twimg.com/ext_tw_video/1104578600000000000/pu/vid/1280x720/HiGhRaTe01.mp4?tag=8"
                }
              ]
            },
            "id" : "1104578600000000000",
            "media_url_https" : "https://pbs.twimg.com/ext_tw_video_thumb/1104578600000000000/pu/img/AbCdEfGhIjKl.jpg",
            "sizes" : {
              "thumb" : { "w" : "150", "h" : "150", "resize" : "crop" },
              "large" : { "w" : "1280", "h" : "720", "resize" : "fit" }
            },
            "type" : "video",
            "display_url" : "pic.twitter.com/ViDeO54321"
          }
        ]
      }
    }
  }
]
