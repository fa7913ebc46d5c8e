// The request being matched: pointers into the input region, set once per `match()` call.
// Module globals keep the hot path free of parameter plumbing and of allocation.

export let methodPtr: usize = 0;
export let methodLen: i32 = 0;
export let hostPtr: usize = 0;
export let hostLen: i32 = 0;
/** Path without the query. */
export let pathPtr: usize = 0;
export let pathLen: i32 = 0;
/** Query after `?`; queryLen -1 = no `?`. */
export let queryPtr: usize = 0;
export let queryLen: i32 = -1;
export let isGrpc: bool = false;
export let slotsPtr: usize = 0;
export let slotCap: i32 = 0;
export let slotLensPtr: usize = 0;

/** `p` is the length of the path: the position of the first `?` in the target, or its length. */
export function setRequest(
  mPtr: usize, mLen: i32, hPtr: usize, hLen: i32, targetPtr: usize, p: i32, targetLen: i32,
  grpc: bool, sPtr: usize, sCap: i32, sLens: usize,
): void {
  methodPtr = mPtr;
  methodLen = mLen;
  hostPtr = hPtr;
  hostLen = hLen;
  pathPtr = targetPtr;
  pathLen = p;
  if (p < targetLen) {
    queryPtr = targetPtr + <usize>p + 1;
    queryLen = targetLen - p - 1;
  } else {
    queryPtr = 0;
    queryLen = -1;
  }
  isGrpc = grpc;
  slotsPtr = sPtr;
  slotCap = sCap;
  slotLensPtr = sLens;
}
