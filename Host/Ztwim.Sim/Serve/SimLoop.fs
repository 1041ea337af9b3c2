/// The one thread that owns the simulated cluster while it is served: the simulation is single-threaded and
/// deterministic, so every HTTP request becomes a work item on this thread, and between work items the
/// thread moves the simulated clock to the wall clock and fires the timers that came due (workload
/// controllers, kubelets, bookmarks), so that pods become ready in real time.
module Ztwim.Sim.Serve.SimLoop

open System
open System.Collections.Concurrent
open System.Diagnostics
open System.Threading
open System.Threading.Tasks
open Ztwim.Adapters.Sim

/// How often the clock catches up with the wall clock when no request arrives.
let tick = TimeSpan.FromMilliseconds 50.0

/// The cluster, its clock, and the queue of work for the thread that owns both.
type Loop(cluster: SimCluster, clock: SimClock) =
    let work = new BlockingCollection<unit -> unit>()
    let wall = Stopwatch.StartNew()
    let start = clock.GetUtcNow()
    let stopping = new CancellationTokenSource()

    let catchUp () =
        let target = start + wall.Elapsed

        while clock.NextDue.HasValue && clock.NextDue.Value <= target do
            clock.FireNext() |> ignore

        clock.MoveTo target

    let body () =
        try
            while not stopping.IsCancellationRequested do
                let mutable item = Unchecked.defaultof<unit -> unit>

                if work.TryTake(&item, int tick.TotalMilliseconds, stopping.Token) then
                    item ()

                try
                    catchUp ()
                with e ->
                    // A failing simulated controller must not stop the server; it shows on stderr.
                    eprintfn "ztwim-sim serve: a simulated controller failed: %s" e.Message
        with :? OperationCanceledException ->
            ()

    let thread = Thread(body, IsBackground = true, Name = "ztwim-sim cluster")
    do thread.Start()

    member _.Cluster = cluster

    /// Runs <paramref name="f"/> on the cluster's thread; its exception, if any, faults the task.
    member _.Run(f: SimCluster -> 'T) : Task<'T> =
        let answer =
            TaskCompletionSource<'T>(TaskCreationOptions.RunContinuationsAsynchronously)

        let item () =
            try
                answer.SetResult(f cluster)
            with e ->
                answer.SetException e

        try
            work.Add item
        with :? InvalidOperationException ->
            answer.SetException(ObjectDisposedException "the simulated cluster has stopped")

        answer.Task

    interface IDisposable with
        member _.Dispose() =
            work.CompleteAdding()
            stopping.Cancel()
            thread.Join()
