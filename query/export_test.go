package query

// SetRemoteDescribeMin sets from how many nodes a statement on a remote
// store describes them in a batch, and returns the undo: a test on the
// small seed graph sets 1 to take that path everywhere it is taken.
func SetRemoteDescribeMin(n int) (undo func()) {
	old := remoteDescribeMin
	remoteDescribeMin = n
	return func() { remoteDescribeMin = old }
}
