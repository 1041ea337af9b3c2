/// Leader election on a Lease, against the simulated cluster: one leader at a time, takeover only after the
/// lease duration without renewal (on the candidate's own clock), immediate takeover after a release.
module Ztwim.Specs.Operator.LeaderSpecs

open System
open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Cluster
open Ztwim.Specs.Sim.SimFixture
open Ztwim.Operator.Leadership

let private lease =
    JsonAccess.Ref("coordination.k8s.io/v1", "Lease", "ztwim", "24a59323.operator.openshift.io")

let private candidate (s: Sim) (name: string) =
    LeaderElector(s.Cluster.Client name, s.Clock, "ztwim", "24a59323.operator.openshift.io", name, LeaseTimings.Default)

let private attempt (e: LeaderElector) = (e.TryAcquireOrRenewAsync ct).Result

let private holder (s: Sim) =
    (ok (s.User.GetAsync(lease, ct))).Str("spec", "holderIdentity")

[<Tests>]
let tests =
    testList
        "Leader election"
        [ test "the first candidate creates the Lease and leads; the second stands by while it renews" {
              let s = sim ()
              let a, b = candidate s "a", candidate s "b"
              Expect.isTrue (attempt a) "a acquires"
              Expect.isFalse (attempt b) "b stands by"
              advance s (TimeSpan.FromSeconds 10.0)
              Expect.isTrue (attempt a) "a renews"
              Expect.isFalse (attempt b) "b still stands by"
              advance s (TimeSpan.FromSeconds 10.0)
              Expect.isTrue (attempt a) "a renews again"
              Expect.isFalse (attempt b) "b: the Lease was renewed within its duration"
              Expect.equal (holder s) "a" "a holds it"
          }

          test "a leader that stops renewing is replaced after the lease duration, and counts a transition" {
              let s = sim ()
              let a, b = candidate s "a", candidate s "b"
              Expect.isTrue (attempt a) "a acquires"
              Expect.isFalse (attempt b) "b sees a"
              advance s (TimeSpan.FromSeconds 14.0)
              Expect.isFalse (attempt b) "not yet: 14 s of 15"
              advance s (TimeSpan.FromSeconds 2.0)
              Expect.isTrue (attempt b) "b takes over"
              let spec = ok (s.User.GetAsync(lease, ct))
              Expect.equal (spec.Str("spec", "holderIdentity")) "b" "b holds it"
              Expect.equal (spec.Int("spec", "leaseTransitions")) (Nullable 1L) "one transition"
              Expect.isFalse (attempt a) "a has lost it"
          }

          test "a released Lease is taken at once" {
              let s = sim ()
              let a, b = candidate s "a", candidate s "b"
              Expect.isTrue (attempt a) "a acquires"
              Expect.isFalse (attempt b) "b stands by"
              (a.ReleaseAsync ct).Wait()
              Expect.equal (holder s) "" "released"
              Expect.isTrue (attempt b) "b takes over without waiting"
          }

          test "HoldAsync reports the loss when another candidate holds the Lease" {
              let s = sim ()
              let a = candidate s "a"
              Expect.isTrue (attempt a) "a acquires"
              // Someone else takes the Lease (an operator that thinks a is dead).
              let taken =
                  (ok (s.User.GetAsync(lease, ct)))
                      .With([| "spec"; "holderIdentity" |], JsonAccess.Of "c")
                      .With([| "spec"; "renewTime" |], JsonAccess.Of(LeaderElector.MicroTime(s.Clock.GetUtcNow())))

              ok (s.User.UpdateAsync(taken, ct)) |> ignore
              let held = a.HoldAsync ct
              advance s (TimeSpan.FromSeconds 3.0)
              Expect.isTrue held.IsCompleted "the renewal found c"
              Expect.isFalse held.Result "leadership lost"
          } ]
