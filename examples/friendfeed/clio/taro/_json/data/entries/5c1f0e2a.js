{
 "id": "e/5c1f0e2a9b8d47c6a3e2f1d0c9b8a796",
 "url": "http://friendfeed.com/taro/5c1f0e2a/ajisai-ga-saita",
 "date": "2009-06-01T03:04:05Z",
 "body": "紫陽花が咲いた &amp; 雨もやんだ",
 "from": {
  "id": "taro",
  "name": "Taro Yamada",
  "type": "user"
 },
 "to": [
  {
   "id": "taro",
   "name": "Taro Yamada",
   "type": "user"
  }
 ],
 "thumbnails": [
  {
   "url": "http://m.friendfeed-media.com/7a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
   "link": "http://m.friendfeed-media.com/f0e1d2c3b4a5968778695a4b3c2d1e0f98765432",
   "width": 175,
   "height": 131
  }
 ],
 "files": [
  {
   "url": "http://m.friendfeed-media.com/def4567890abcdef4567890abcdef4567890abcd",
   "type": "image/jpeg",
   "name": "ajisai.jpg",
   "size": 48213,
   "icon": "http://friendfeed.com/static/images/icons/image.png"
  }
 ],
 "comments": [
  {
   "id": "c/5c1f0e2a9b8d47c6a3e2f1d0c9b8a796/1a2b3c4d",
   "date": "2009-06-01T03:30:00Z",
   "body": "きれい！ <a rel=\"nofollow\" href=\"http://hanako.example.jp/\">うちのも</a>",
   "from": {
    "id": "hanako",
    "name": "Hanako",
    "type": "user"
   }
  },
  {
   "id": "c/5c1f0e2a9b8d47c6a3e2f1d0c9b8a796/5e6f7a8b",
   "date": "2009-06-01T04:00:00Z",
   "body": "ありがとう",
   "from": {
    "id": "taro",
    "name": "Taro Yamada",
    "type": "user"
   }
  }
 ],
 "likes": [
  {
   "date": "2009-06-01T03:10:00Z",
   "from": {
    "id": "hanako",
    "name": "Hanako",
    "type": "user"
   }
  },
  {
   "date": "2009-06-01T05:00:00Z",
   "from": {
    "id": "jiro",
    "name": "Jiro",
    "type": "user"
   }
  }
 ],
 "dateFriendly": "1 июня 2009 в 03:04"
}