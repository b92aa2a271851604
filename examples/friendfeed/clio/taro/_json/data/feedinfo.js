{
 "id": "taro",
 "name": "Taro Yamada",
 "type": "user",
 "description": "東京で雨を眺めています",
 "subscriptions": [
  {
   "id": "hanako",
   "name": "Hanako",
   "type": "user"
  }
 ]
}