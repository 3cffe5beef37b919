// receive: to do
