module Ztwim.Specs.Runtime.WorkQueueSpecs

open System
open System.Threading
open Expecto
open Ztwim.Adapters.Runtime
open Ztwim.Adapters.Sim

let private queue () =
    let clock = SimClock()
    clock, WorkQueue(clock, Backoff(TimeSpan.FromMilliseconds 5.0, TimeSpan.FromSeconds 1.0, 0.0), Random 1)

/// Takes the next key if one is ready now (the queue answers synchronously when it has one); a taker that
/// would have to wait gives up at once, so it leaves no waiter behind to catch a later key.
let private take (q: WorkQueue) =
    use cts = new CancellationTokenSource()
    let t = q.GetAsync cts.Token

    if t.IsCompleted then
        Some t.Result
    else
        cts.Cancel()
        None

/// Fires every timer due up to `span` from now.
let private advance (clock: SimClock) (span: TimeSpan) =
    let until = clock.GetUtcNow() + span

    while clock.NextDue.HasValue && clock.NextDue.Value <= until do
        clock.FireNext() |> ignore

    clock.MoveTo until

[<Tests>]
let specs =
    testList
        "work-queue"
        [ test "a key added many times is handed out once" {
              let _, q = queue ()
              q.Add "a"
              q.Add "a"
              q.Add "b"
              Expect.equal (take q) (Some "a") "first"
              Expect.equal (take q) (Some "b") "second"
              Expect.equal (take q) None "nothing more"
          }

          test "a key being processed is not handed out again until Done, then once more if it was added meanwhile" {
              let _, q = queue ()
              q.Add "a"
              Expect.equal (take q) (Some "a") "taken"
              q.Add "a"
              q.Add "a"
              Expect.equal (take q) None "not while processing"
              q.Done "a"
              Expect.equal (take q) (Some "a") "again after Done"
              q.Done "a"
              Expect.equal (take q) None "only once"
          }

          test "a waiting worker gets the key when it is added" {
              let _, q = queue ()
              let waiting = q.GetAsync CancellationToken.None
              Expect.isFalse waiting.IsCompleted "waits"
              q.Add "a"
              Expect.equal (waiting.Wait(1000), waiting.Result) (true, "a") "handed to the waiter"
          }

          test "a cancelled waiter is woken with null and never swallows a key" {
              let _, q = queue ()
              use cts = new CancellationTokenSource()
              let waiting = q.GetAsync cts.Token
              cts.Cancel()
              Expect.equal (waiting.Wait(1000), waiting.Result) (true, null) "woken empty"
              q.Add "a"
              Expect.equal (take q) (Some "a") "the key goes to the next taker"
          }

          test "backoff doubles from the base up to the cap, and Forget starts it again" {
              let _, q = queue ()
              let delays = [ for _ in 1..10 -> (q.AddRateLimited "a").TotalMilliseconds ]
              Expect.equal delays [ 5.0; 10.0; 20.0; 40.0; 80.0; 160.0; 320.0; 640.0; 1000.0; 1000.0 ] "delays"
              q.Forget "a"
              Expect.equal (q.AddRateLimited "a").TotalMilliseconds 5.0 "after Forget"
          }

          test "jitter stays within its fraction above the delay" {
              let clock = SimClock()
              let q = WorkQueue(clock, Backoff.Default, Random 7)

              for n in 0..20 do
                  let d = q.AddRateLimited "a"
                  let plain = Backoff.Default.Delay(n, 0.0)
                  Expect.isTrue (d >= plain && d <= plain * 1.1) (sprintf "retry %d: %O within 10%% of %O" n d plain)
          }

          test "a key that keeps failing is never dropped" {
              let clock, q = queue ()

              for _ in 1..200 do
                  q.AddRateLimited "a" |> ignore
                  advance clock (TimeSpan.FromSeconds 2.0)
                  Expect.equal (take q) (Some "a") "comes back"
                  q.Done "a"

              Expect.equal (q.Failures "a") 200 "failures counted"
          }

          test "AddAfter hands the key out when its delay has passed, and the earlier of two delays wins" {
              let clock, q = queue ()
              q.AddAfter("a", TimeSpan.FromSeconds 10.0)
              q.AddAfter("a", TimeSpan.FromSeconds 3.0)
              advance clock (TimeSpan.FromSeconds 2.0)
              Expect.equal (take q) None "not yet"
              Expect.equal q.NextDelayed (Some(SimClock.Epoch + TimeSpan.FromSeconds 3.0) |> Option.toNullable) "due"
              advance clock (TimeSpan.FromSeconds 1.0)
              Expect.equal (take q) (Some "a") "after 3 s"
              q.Done "a"
              advance clock (TimeSpan.FromSeconds 10.0)
              Expect.equal (take q) None "the later delay was dropped"
          }

          test "a Retry-After longer than the backoff is a floor" {
              let _, q = queue ()

              Expect.equal
                  (q.AddRateLimited("a", Nullable(TimeSpan.FromSeconds 2.0)))
                  (TimeSpan.FromSeconds 2.0)
                  "floor"
          }

          test "shut down wakes waiters with null" {
              let _, q = queue ()
              let waiting = q.GetAsync CancellationToken.None
              q.ShutDown()
              Expect.equal (waiting.Wait(1000), waiting.Result) (true, null) "woken"
          } ]
