evidence {
  paths = ["evidence"]
}
