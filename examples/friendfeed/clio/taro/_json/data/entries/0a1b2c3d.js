{
 "id": "e/0a1b2c3d4e5f60718293a4b5c6d7e8f9",
 "url": "http://friendfeed.com/taro/0a1b2c3d/tsuyu-iri",
 "date": "2008-05-30T12:35:10Z",
 "body": "梅雨入り - <a rel=\"nofollow\" href=\"http://d.hatena.ne.jp/taro/20080530/1212150896\" title=\"http://d.hatena.ne.jp/taro/20080530/1212150896\">http://d.hatena.ne.jp/taro/2008...</a>",
 "from": {
  "id": "taro",
  "name": "Taro Yamada",
  "type": "user"
 },
 "via": {
  "name": "はてなダイアリー",
  "url": "http://d.hatena.ne.jp/taro/"
 },
 "comments": [
  {
   "id": "c/0a1b2c3d4e5f60718293a4b5c6d7e8f9/9f8e7d6c",
   "date": "2008-05-30T13:00:00Z",
   "body": "お大事に",
   "from": {
    "id": "hanako",
    "name": "Hanako",
    "type": "user"
   }
  }
 ],
 "likes": [],
 "dateFriendly": "30 мая 2008 в 12:35"
}