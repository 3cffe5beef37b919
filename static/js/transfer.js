// transfer: to do
