/// What converging cost the operator on a real API server, from the audit log (its own user's requests only, so
/// the node stand-in's and kube-controller-manager's requests do not count): requests by verb, conflicts,
/// refusals, how soon it asked and wrote, how long until every CR was Ready, and its memory then.
module Ztwim.Specs.RealServer.OperatorFigures

open System
open Expecto
open Ztwim.Specs.Envtest

type Figures =
    {
        Requests: Audit.Request list
        /// From the operator's start to its first request and its first write.
        FirstRequest: TimeSpan option
        FirstWrite: TimeSpan option
        /// From the samples applied to every CR Ready.
        ToReady: TimeSpan
        Rss: string
    }

let of' (requests: Audit.Request list) (startedAt: DateTimeOffset) (toReady: TimeSpan) (rss: string) =
    let after (r: Audit.Request) = r.Received - startedAt

    { Requests = requests
      FirstRequest = requests |> List.tryHead |> Option.map after
      FirstWrite = requests |> List.tryFind Audit.isWrite |> Option.map after
      ToReady = toReady
      Rss = rss }

let private seconds (t: TimeSpan option) =
    t
    |> Option.map (fun t -> sprintf "%.2f s" t.TotalSeconds)
    |> Option.defaultValue "none"

/// The figures as lines the closing note can quote, each starting with the flow's name.
let print (flow: string) (f: Figures) =
    let writes = f.Requests |> List.filter Audit.isWrite

    printfn "%s: the operator's requests to converge: %d (%s)" flow f.Requests.Length (Audit.verbCounts f.Requests)

    printfn
        "%s: writes %d by resource: %s"
        flow
        writes.Length
        (writes
         |> List.countBy Audit.resourceName
         |> List.sort
         |> List.map (fun (r, n) -> sprintf "%s %d" r n)
         |> String.concat ", ")

    printfn
        "%s: conflicts (409) %d, forbidden (403) %d"
        flow
        (Audit.conflicts f.Requests).Length
        (Audit.forbidden f.Requests).Length

    for r in Audit.conflicts f.Requests do
        printfn "%s: conflict: %s" flow (Audit.describe r)

    printfn
        "%s: from the operator's start: first request %s, first write %s; every CR Ready %.1f s after kubectl apply of the samples; operator VmRSS %s"
        flow
        (seconds f.FirstRequest)
        (seconds f.FirstWrite)
        f.ToReady.TotalSeconds
        f.Rss

/// A missing permission is a defect of the ClusterRole, never something to converge through.
let expectNoForbidden (what: string) (requests: Audit.Request list) =
    match Audit.forbidden requests with
    | [] -> ()
    | refused ->
        failtestf
            "%s: the operator was refused %d requests (403):\n%s"
            what
            refused.Length
            (refused |> List.map Audit.describe |> String.concat "\n")
