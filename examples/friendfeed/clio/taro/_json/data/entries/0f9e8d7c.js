{
 "id": "e/0f9e8d7c6b5a49382716f5e4d3c2b1a0",
 "url": "http://friendfeed.com/taro/0f9e8d7c/tsuyu-iri-shita-rashii",
 "date": "2008-05-30T12:34:56Z",
 "body": "梅雨入りしたらしい。傘がない。",
 "from": {
  "id": "taro",
  "name": "Taro Yamada",
  "type": "user"
 },
 "via": {
  "name": "Twitter",
  "url": "http://twitter.com/taro/statuses/824500123"
 },
 "comments": [],
 "likes": [],
 "dateFriendly": "30 мая 2008 в 12:34"
}