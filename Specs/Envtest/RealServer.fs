/// Test lists that need a real API server: run where KUBEBUILDER_ASSETS names the binaries, one at a time
/// (two cores run one control plane's work well, not three), and skipped with one printed line where it is unset.
module Ztwim.Specs.Envtest.RealServer

open Expecto
open Ztwim.Specs.Envtest.Assets

let private announce = lazy (printfn "%s" skipLine)

/// The group every real-server list belongs to: Expecto runs no two of its tests at once.
let group = "real-api-server"

/// The list `name` built from the binaries; a skipped test where there are none, a failed one where
/// KUBEBUILDER_ASSETS is set to a folder that does not hold them.
let tests (name: string) (body: Assets -> Test list) : Test =
    match find () with
    | Ok assets -> testSequencedGroup group (testList name (body assets))
    | Error why when requested () -> testList name [ test "the control-plane binaries" { failtest why } ]
    | Error why ->
        announce.Force()
        testList name [ testCase "needs a real API server" (fun () -> skiptest why) ]
