/// The operator's life on a real control plane, step by step, each step judged by what the API server saw (the
/// audit log, the operator's user only) and what an administrator sees with kubectl. A step that fails says what
/// the operator was refused, if anything: a missing permission shows as the 403 it caused.
module Ztwim.Specs.RealServer.OperatorFlow

open System
open System.Diagnostics
open System.IO
open System.Text.Json
open System.Threading
open Expecto
open Ztwim.Specs.E2E.E2EProcesses
open Ztwim.Specs.E2E.Kubectl
open Ztwim.Specs.Envtest
open Ztwim.Specs.Envtest.ControlPlane
open Ztwim.Specs.RealServer.OperatorInstall

/// One flow's cluster and processes.
type Flow =
    {
        Name: string
        Cp: ControlPlane
        Platform: Platform
        Dir: string
        Children: ResizeArray<Child>
        /// The operator's own kubeconfig (its ServiceAccount's token).
        Kubeconfig: string
        /// The environment every operator of this flow starts with (OLM's OPERATOR_CONDITION_NAME on OpenShift).
        Env: (string * string) list
        /// The audit log's end before the operator first started.
        Since: Audit.Mark
        Wall: Stopwatch
    }

    member f.Admin = f.Cp.AdminKubeconfig

/// The operator's requests since the mark.
let operatorRequests (f: Flow) (mark: Audit.Mark) =
    Audit.since f.Cp.AuditLogPath mark |> Audit.by operatorUser

/// The operator's writes since the mark, after a moment for the audit log to catch up with the last answers.
let writesSince (f: Flow) (mark: Audit.Mark) =
    Thread.Sleep 500
    operatorRequests f mark |> List.filter Audit.isWrite

let private describeAll (requests: Audit.Request list) =
    requests |> List.map Audit.describe |> String.concat "\n"

/// Runs the step; when it fails, the failure carries every 403 the operator got since the flow began.
let guarded (f: Flow) (step: string) (body: unit -> 'a) : 'a =
    try
        body ()
    with e ->
        let refused = Audit.forbidden (operatorRequests f f.Since)

        let note =
            if e.Message.Contains "(403)" then
                "" // the failure is the refusals themselves
            elif refused.IsEmpty then
                "the operator was refused nothing (no 403 in the audit log)"
            else
                sprintf "the operator was refused %d requests (403):\n%s" refused.Length (describeAll refused)

        failtestf "%s: %s\n%s" step e.Message note

let private getJson (f: Flow) (path: string) =
    use response = f.Cp.Http.GetAsync(path: string).Result

    if response.IsSuccessStatusCode then
        Some(JsonDocument.Parse(response.Content.ReadAsStringAsync().Result).RootElement.Clone())
    else
        None

let private conditions (cr: JsonElement) =
    match cr.TryGetProperty "status" with
    | true, status ->
        match status.TryGetProperty "conditions" with
        | true, cs when cs.ValueKind = JsonValueKind.Array ->
            [ for c in cs.EnumerateArray() ->
                  c.GetProperty("type").GetString(),
                  c.GetProperty("status").GetString(),
                  (match c.TryGetProperty "reason" with
                   | true, r -> r.GetString()
                   | _ -> "") ]
        | _ -> []
    | _ -> []

/// The CR's conditions: (type, status, reason).
let crConditions (f: Flow) (plural: string) =
    getJson f (sprintf "/apis/%s/%s/%s/cluster" group version plural)
    |> Option.map conditions
    |> Option.defaultValue []

let isReady (f: Flow) (plural: string) =
    crConditions f plural
    |> List.exists (fun (t, s, _) -> t = "Ready" && s = "True")

/// `kubectl get ... -o jsonpath=...` as the administrator.
let jsonpath (f: Flow) (args: string list) (path: string) =
    (succeeds f.Admin [ "get"; yield! args; "-o"; "jsonpath=" + path ]).Trim()

/// Waits until every CR is Ready again (a rollout the previous step caused has finished).
let waitAllReady (f: Flow) (operator: Child) (what: string) =
    waitFor (sprintf "every CR Ready again after %s" what) (TimeSpan.FromSeconds 30.0) 200 (fun () ->
        running operator

        if crPlurals |> List.forall (isReady f) then
            Some()
        else
            None)

/// Waits until the DaemonSet's rollout is over (every pod updated, ready and available) and the operator has
/// written nothing for a while: what it reports about a rollout comes after the rollout.
let waitRolledOutAndQuiet (f: Flow) (operator: Child) (daemonSet: string) =
    let status () =
        jsonpath
            f
            [ "daemonset"; daemonSet; "-n"; operandNamespace ]
            "{.metadata.generation} {.status.observedGeneration} {.status.desiredNumberScheduled} {.status.updatedNumberScheduled} {.status.numberReady} {.status.numberAvailable}"

    waitFor (sprintf "the DaemonSet %s to roll out" daemonSet) (TimeSpan.FromSeconds 30.0) 200 (fun () ->
        running operator

        match (status ()).Split ' ' with
        | [| generation; observed; desired; updated; ready; available |] when
            generation = observed
            && desired <> "0"
            && List.forall ((=) desired) [ updated; ready; available ]
            ->
            Some()
        | _ -> None)

    let quiet = TimeSpan.FromSeconds 1.5

    waitFor "the operator to stop writing" (TimeSpan.FromSeconds 30.0) 200 (fun () ->
        running operator

        let last =
            operatorRequests f f.Since
            |> List.filter Audit.isWrite
            |> List.tryLast
            |> Option.map (fun r -> r.Received)

        match last with
        | Some t when DateTimeOffset.UtcNow - t < quiet -> None
        | _ -> Some())

let private samplesDir () =
    Path.Combine(repoRoot (), "manifests", "samples")

/// The manual's five CRs applied with kubectl, then every CR Ready (polled, failing at once on a 403 or an
/// exited operator, then confirmed with `kubectl wait`); the time it took.
let applySamplesAndWaitReady (f: Flow) (operator: Child) =
    let applied =
        succeeds
            f.Admin
            [ "apply"
              yield! samples |> List.collect (fun s -> [ "-f"; Path.Combine(samplesDir (), s) ]) ]

    Expect.stringContains applied "spireserver.operator.openshift.io/cluster created" "kubectl applied the samples"
    let clock = Stopwatch.StartNew()

    waitFor "every CR Ready=True" (TimeSpan.FromSeconds 60.0) 200 (fun () ->
        running operator
        OperatorFigures.expectNoForbidden "converging" (operatorRequests f f.Since)

        if crPlurals |> List.forall (isReady f) then
            Some()
        else
            None)

    let toReady = clock.Elapsed

    let waited =
        succeeds f.Admin [ "wait"; "--for=condition=Ready"; "--timeout=10s"; yield! crs ]

    Expect.equal
        (waited.Split('\n', StringSplitOptions.RemoveEmptyEntries)
         |> Array.filter (fun l -> l.EndsWith "condition met")
         |> Array.length)
        5
        "kubectl wait sees all five CRs Ready"

    toReady

/// Stops the operator and starts another like it: once that one has synced and reconciled each CR, the API
/// server has seen not one write from it.
let restartMakesNoWrite (f: Flow) (operator: Child) =
    operator.Stop(TimeSpan.FromSeconds 10.0)
    let mark = Audit.mark f.Cp.AuditLogPath
    let again = startOperator "ztwim-operator (restarted)" f.Kubeconfig f.Env f.Children
    waitSettled again (TimeSpan.FromSeconds 30.0)
    // The first reconciles are logged as they end; give the last one's requests time to reach the log.
    Thread.Sleep 1500
    let requests = operatorRequests f mark
    // Nothing recorded under the operator's user would make "no write" vacuous (an operator run as someone else).
    Expect.isNonEmpty requests "the audit log records the restarted operator's requests under its ServiceAccount"
    let writes = requests |> List.filter Audit.isWrite
    Expect.equal (writes |> List.map Audit.describe) [] "the restarted operator writes nothing (audit log)"

    printfn "%s: restarted operator: %d requests (%s), 0 writes" f.Name requests.Length (Audit.verbCounts requests)

    again

let private agentImage (f: Flow) =
    jsonpath
        f
        [ "daemonset"; "spire-agent"; "-n"; operandNamespace ]
        "{.spec.template.spec.containers[?(@.name==\"spire-agent\")].image}"

/// A hand edit of the agent DaemonSet's image is put back.
let imageEditReverted (f: Flow) (operator: Child) =
    let original = agentImage f
    Expect.isNotEmpty original "the agent DaemonSet has an image"
    let mark = Audit.mark f.Cp.AuditLogPath
    let clock = Stopwatch.StartNew()

    succeeds
        f.Admin
        [ "set"
          "image"
          "-n"
          operandNamespace
          "daemonset/spire-agent"
          "spire-agent=example.invalid/hand-edited:1" ]
    |> ignore

    waitFor "the operator to put the agent's image back" (TimeSpan.FromSeconds 20.0) 100 (fun () ->
        running operator
        if agentImage f = original then Some() else None)

    let revertedAfter = clock.Elapsed
    // Two rollouts (the edit's and the revert's) run through the node stand-in; the CRs report them after.
    waitRolledOutAndQuiet f operator "spire-agent"
    waitAllReady f operator "the agent's image was put back"
    let writes = writesSince f mark

    Expect.exists
        writes
        (fun r -> r.Resource = "daemonsets" && r.Name = "spire-agent")
        "the audit log records the operator's write that put the image back"

    printfn
        "%s: hand-edited agent image put back after %.2f s, every CR Ready again after %.2f s, with %d writes (%s)"
        f.Name
        revertedAfter.TotalSeconds
        clock.Elapsed.TotalSeconds
        writes.Length
        (writes |> List.map Audit.resourceName |> String.concat ", ")

/// A spec change that changes the SPIRE server's config rolls its StatefulSet: the pod is replaced (which takes
/// the node stand-in finalising the old one) and the CRs are Ready again.
let serverConfigChangeRollsOut (f: Flow) (operator: Child) =
    let pod () =
        jsonpath f [ "pod"; "spire-server-0"; "-n"; operandNamespace ] "{.metadata.uid}"

    let before = pod ()
    let clock = Stopwatch.StartNew()

    succeeds
        f.Admin
        [ "patch"
          "spireserver"
          "cluster"
          "--type=merge"
          "-p"
          """{"spec":{"logLevel":"debug"}}""" ]
    |> ignore

    waitFor
        "the SPIRE server's pod to be replaced and the StatefulSet rolled out"
        (TimeSpan.FromSeconds 30.0)
        200
        (fun () ->
            running operator

            let rollout =
                jsonpath
                    f
                    [ "statefulset"; "spire-server"; "-n"; operandNamespace ]
                    "{.status.currentRevision} {.status.updateRevision} {.status.readyReplicas} {.spec.replicas}"

            match rollout.Split ' ' with
            | [| current; update; ready; replicas |] when current = update && ready = replicas ->
                match pod () with
                | uid when uid <> "" && uid <> before -> Some()
                | _ -> None
            | _ -> None)

    waitAllReady f operator "the SPIRE server rolled out"
    printfn "%s: logLevel debug rolled the SPIRE server's StatefulSet in %.2f s" f.Name clock.Elapsed.TotalSeconds

let private managedBy (f: Flow) =
    jsonpath
        f
        [ "configmap"; "spire-agent"; "-n"; operandNamespace ]
        "{.metadata.labels.app\\.kubernetes\\.io/managed-by}"

/// Every CR's status as JSON text, to show what a status write changed.
let statuses (f: Flow) =
    [ for plural in crPlurals ->
          plural,
          getJson f (sprintf "/apis/%s/%s/%s/cluster" group version plural)
          |> Option.bind (fun cr ->
              match cr.TryGetProperty "status" with
              | true, s -> Some(s.GetRawText())
              | _ -> None)
          |> Option.defaultValue "" ]

/// The CRs whose status differs, before and after.
let statusChanges (before: (string * string) list) (after: (string * string) list) =
    List.zip before after
    |> List.filter (fun ((_, a), (_, b)) -> a <> b)
    |> List.map (fun ((plural, a), (_, b)) -> sprintf "%s status\n  before: %s\n  after:  %s" plural a b)
    |> String.concat "\n"

/// Our label removed from a ConfigMap is put back with exactly one write.
let labelRepairedWithOneWrite (f: Flow) (operator: Child) =
    let mark = Audit.mark f.Cp.AuditLogPath
    let before = statuses f

    succeeds
        f.Admin
        [ "label"
          "configmap"
          "spire-agent"
          "-n"
          operandNamespace
          "app.kubernetes.io/managed-by-" ]
    |> ignore

    waitFor "the operator to put its managed-by label back" (TimeSpan.FromSeconds 20.0) 100 (fun () ->
        running operator

        if managedBy f = "zero-trust-workload-identity-manager" then
            Some()
        else
            None)

    // Anything more it was going to do (a create that fails, a second apply) comes within the next moments.
    Thread.Sleep 1500
    let writes = writesSince f mark

    Expect.equal
        (writes |> List.map Audit.describe)
        (writes |> List.truncate 1 |> List.map Audit.describe)
        (sprintf "the label is repaired with one write; %s" (statusChanges before (statuses f)))

    Expect.equal writes.Length 1 "the label is repaired with exactly one write"
    let requests = operatorRequests f mark

    printfn
        "%s: removed label repaired with 1 write: %s; the operator's requests meanwhile: %s"
        f.Name
        (Audit.describe writes.Head)
        (requests
         |> List.map (fun r -> sprintf "%s %s %d" r.Verb (Audit.resourceName r) r.Code)
         |> String.concat ", ")

/// `kubectl patch` as the administrator that must be refused at admission, naming the field.
let rejectedAtAdmission (f: Flow) (resource: string) (patch: string) (field: string) =
    match kubectl f.Admin [ "patch"; resource; "cluster"; "--type=merge"; "-p"; patch ] with
    | 0, output -> failtestf "kubectl patch %s %s was admitted: %s" resource patch output
    | _, output ->
        Expect.stringContains output field (sprintf "the rejection of %s names %s" patch field)
        printfn "%s: rejected at admission: %s" f.Name (output.Trim())

/// `managedRoute: "false"`: the operator acts on it (the Route is gone) and the CR stays Ready.
let unmanagedRouteStaysReady (f: Flow) (operator: Child) =
    let plural = "spireoidcdiscoveryproviders"

    let routes () =
        kubectl f.Admin [ "get"; "routes.route.openshift.io"; "-n"; operandNamespace; "-o"; "name" ]
        |> snd

    Expect.stringContains (routes ()) "spire-oidc-discovery-provider" "the operator made the OIDC provider's Route"

    succeeds
        f.Admin
        [ "patch"
          "spireoidcdiscoveryprovider"
          "cluster"
          "--type=merge"
          "-p"
          """{"spec":{"managedRoute":"false"}}""" ]
    |> ignore

    waitFor "the operator to stop managing the OIDC provider's Route" (TimeSpan.FromSeconds 20.0) 100 (fun () ->
        running operator
        Expect.isTrue (isReady f plural) "Ready stays True while the Route is let go"

        if (routes ()).Contains "spire-oidc-discovery-provider" then
            None
        else
            Some())

    Thread.Sleep 1000
    let conditions = crConditions f plural
    Expect.isTrue (isReady f plural) "Ready is True with managedRoute \"false\""

    printfn
        "%s: managedRoute \"false\": Route removed, conditions %s"
        f.Name
        (conditions
         |> List.map (fun (t, s, r) -> sprintf "%s=%s(%s)" t s r)
         |> String.concat ", ")

/// An operator in create-only mode leaves a hand edit of an operand in place.
let createOnlyKeepsHandEdit (f: Flow) (operator: Child) =
    operator.Stop(TimeSpan.FromSeconds 10.0)

    let createOnly =
        startOperator "ztwim-operator (create-only)" f.Kubeconfig (("CREATE_ONLY_MODE", "true") :: f.Env) f.Children

    waitSettled createOnly (TimeSpan.FromSeconds 30.0)
    let mark = Audit.mark f.Cp.AuditLogPath
    let edited = "example.invalid/hand-edited:2"
    let before = reconciles createOnly

    succeeds
        f.Admin
        [ "set"
          "image"
          "-n"
          operandNamespace
          "daemonset/spire-agent"
          "spire-agent=" + edited ]
    |> ignore

    // The edit is an event the agent's controller reconciles; once it has, plus a moment, nothing may have moved.
    waitFor "the create-only operator to reconcile after the hand edit" (TimeSpan.FromSeconds 20.0) 100 (fun () ->
        running createOnly

        if reconciles createOnly > before then Some() else None)

    Thread.Sleep 2000
    Expect.equal (agentImage f) edited "create-only mode leaves the hand-edited image"

    let daemonSetWrites =
        writesSince f mark |> List.filter (fun r -> r.Resource = "daemonsets")

    Expect.equal (daemonSetWrites |> List.map Audit.describe) [] "create-only mode writes no DaemonSet"
    printfn "%s: create-only operator left the hand-edited image in place" f.Name
    createOnly
