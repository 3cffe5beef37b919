// camera: to do
