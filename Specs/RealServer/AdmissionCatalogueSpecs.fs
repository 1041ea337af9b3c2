/// Every CR of the admission catalogue sent to a real kube-apiserver with our CRDs, with dryRun=All: what the
/// kernel says is refused at admission must be refused by the server (422) naming the same field paths; what
/// the kernel accepts must be admitted; what only the controller refuses is printed as a finding.
module Ztwim.Specs.RealServer.AdmissionCatalogueSpecs

open System
open System.Diagnostics
open System.Net
open System.Net.Http
open System.Text
open System.Text.RegularExpressions
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Specs.Envtest
open Ztwim.Specs.RealServer.AdmissionCatalogue

/// What the server answered: its status code and, for a 422, the field of each cause.
type private Answer =
    {
        Code: int
        Fields: string list
        /// The Status message of a refusal (the body when it is not a Status).
        Message: string
        Body: string
    }

/// Field paths as both sides spell them. The kernel writes `spec.a.b[0].c`; the server writes the same for
/// schema errors, and a CEL rule's `fieldPath` as written in the CRD, which may start with a dot (`.spec.a`) or
/// name a map key in brackets (`spec.labels['k']`). Both are brought to the kernel's form: no leading dot, a
/// map key as a member, list indexes kept. The server's `<nil>` cause (a CEL rule not run because the schema
/// already failed) names no field and is dropped.
let normalise (path: string) =
    let keyed =
        Regex.Replace(path.Trim(), @"\[['""]([^'""\]]+)['""]\]", (fun (m: Match) -> "." + m.Groups[1].Value))

    keyed.TrimStart('.')

let private plural (kind: Kind) =
    (Kind.name kind).ToLowerInvariant() + "s"

let private collection (kind: Kind) =
    sprintf "/apis/%s/%s" Kind.apiVersion (plural kind)

let private answerOf (response: HttpResponseMessage) =
    let body = response.Content.ReadAsStringAsync().Result

    let fields =
        match JsonText.parse body with
        | Ok status ->
            match Json.tryField "details" status |> Option.bind (Json.tryField "causes") with
            | Some(Json.Array causes) ->
                causes
                |> List.choose (fun c ->
                    match Json.tryField "field" c with
                    | Some(Json.String f) when f <> "<nil>" -> Some(normalise f)
                    | _ -> None)
                |> List.distinct
            | _ -> []
        | Error _ -> []

    let message =
        match JsonText.parse body |> Result.map (Json.tryField "message") with
        | Ok(Some(Json.String m)) -> m
        | _ -> body

    { Code = int response.StatusCode
      Fields = fields
      Message = message
      Body = body }

let private send (http: HttpClient) (verb: HttpMethod) (uri: string) (doc: Json option) =
    use request = new HttpRequestMessage(verb, uri)

    doc
    |> Option.iter (fun d ->
        request.Content <- new StringContent(JsonText.compact d, Encoding.UTF8, "application/json"))

    use response = http.Send request
    answerOf response

let private withResourceVersion (rv: string) (doc: Json) =
    match doc, Json.tryField "metadata" doc with
    | Json.Object m, Some(Json.Object meta) ->
        Json.Object(Map.add "metadata" (Json.Object(Map.add "resourceVersion" (Json.String rv) meta)) m)
    | _ -> doc

let private resourceVersion (body: string) =
    match JsonText.parse body with
    | Ok o ->
        match Json.tryField "metadata" o |> Option.bind (Json.tryField "resourceVersion") with
        | Some(Json.String rv) -> rv
        | _ -> failwithf "no resourceVersion in %s" body
    | Error e -> failwithf "not JSON (%s): %s" e body

/// Sends one entry. A create is a dry run. An update stores the object before (a real create), sends the
/// update as a dry run, and deletes the object: nothing of the catalogue stays on the shared control plane.
let private answer (http: HttpClient) (entry: Entry) : Answer =
    let kind = entry.Kind

    match entry.Write with
    | Create doc -> send http HttpMethod.Post (collection kind + "?dryRun=All") (Some doc)
    | Update(before, after) ->
        let item = collection kind + "/cluster"

        let existing = send http HttpMethod.Get item None

        if existing.Code <> 404 then
            failtestf
                "%s: %s/cluster is already stored on the shared control plane (GET answered %d); the catalogue's updates need it absent, so the suite that made it must delete it"
                entry.Name
                (Kind.name kind)
                existing.Code

        let created = send http HttpMethod.Post (collection kind) (Some before)

        if created.Code <> 201 then
            failtestf "%s: storing the object before the update answered %d: %s" entry.Name created.Code created.Body

        try
            send
                http
                HttpMethod.Put
                (item + "?dryRun=All")
                (Some(withResourceVersion (resourceVersion created.Body) after))
        finally
            let deleted = send http HttpMethod.Delete item None

            if deleted.Code <> 200 then
                failtestf "%s: deleting the stored object answered %d: %s" entry.Name deleted.Code deleted.Body

/// How one entry came out against the server.
type private Outcome =
    /// Refused at admission with the kernel's field paths, or admitted as the kernel says.
    | Agrees
    /// Only the controller refuses it; the server admitted it.
    | Finding of string
    /// The server and the kernel disagree.
    | Mismatch of string

// A dry-run create of a valid object is 201. 409 AlreadyExists also means it passed validation: the server
// validates before it looks for the name in storage, and another suite on the shared control plane may have
// stored a `cluster` of the kind.
let private admitted (a: Answer) =
    a.Code = 200
    || a.Code = 201
    || (a.Code = 409 && a.Body.Contains "AlreadyExists")

let private judge (entry: Entry) (a: Answer) =
    let server = a.Fields |> Set.ofList

    match entry.Verdict with
    | Admitted when admitted a -> Agrees
    | Admitted ->
        Mismatch(
            sprintf "the kernel admits it; the server answered %d naming [%s]" a.Code (String.concat ", " a.Fields)
        )
    | RejectedAtAdmission paths when a.Code = 422 && Set.ofList (List.map normalise paths) = server -> Agrees
    | RejectedAtAdmission paths when a.Code = 422 ->
        Mismatch(
            sprintf
                "both refuse it; the kernel names [%s], the server [%s]"
                (String.concat ", " paths)
                (String.concat ", " a.Fields)
        )
    | RejectedAtAdmission paths ->
        Mismatch(
            sprintf
                "the kernel refuses it at admission naming [%s]; the server answered %d%s"
                (String.concat ", " paths)
                a.Code
                (if admitted a then " (admitted)" else ": " + a.Message)
        )
    | ControllerOnly errors when admitted a -> Finding(errors |> List.map FieldError.describe |> String.concat "; ")
    | ControllerOnly errors ->
        Mismatch(
            sprintf
                "the kernel leaves it to the controller (%s); the server refused it (%d) naming [%s]"
                (errors |> List.map _.Path |> String.concat ", ")
                a.Code
                (String.concat ", " a.Fields)
        )

/// A difference between the kernel and the server the suite accepts, for the entries whose name matches, and why.
type Difference = { Entries: Regex; Reason: string }

let private difference (pattern: string) (reason: string) =
    { Entries = Regex("^" + pattern + "$")
      Reason = reason }

/// The documented differences. Each names the entries it covers and why the two sides differ; every one must
/// still occur, so that the list shrinks when a difference goes away.
let documented: Difference list =
    [ difference
          @"SpireAgent/apiVersion and kind/(rejects apiVersion = .*|requires apiVersion|requires kind)"
          "the URL names group, version and kind; the server refuses a body that disagrees with it with 400 BadRequest while decoding, before any field is validated, so no field is named (still refused)"
      difference
          @"[A-Za-z]+/[A-Za-z]+/rejects metadata = ""cluster"""
          "metadata that is not an object cannot be decoded: 400 BadRequest before validation, no field named (still refused)"
      difference
          @"[A-Za-z]+/[A-Za-z]+/requires metadata"
          "the server has no rule for metadata itself: a body without it is an object without a name, refused at metadata.name"
      difference
          @"ZeroTrustWorkloadIdentityManager/ZeroTrustWorkloadIdentityManager/a missing spec names every required field"
          "the CRD requires spec, so the server names spec; the kernel names each required field inside it, which says what to write"
      difference
          @"SpireServer/SpireServer/(rejects spec\.caValidity = ""1d""|rejects spec\.defaultX509Validity = ""1"")"
          "a string the schema's pattern lets through but Go cannot parse as a duration also fails the CRD's TTL-ordering rule on spec (CEL's duration() of it is an error), so the server names spec too; the kernel orders only durations that parse"
      difference
          "SpireServer/bundleEndpoint/httpsWeb with both acme and servingCert"
          "both refuse it; the row's acme block is empty: the server reports the block's required fields and runs no CEL rule once the schema fails, the kernel reports the exclusivity rule, which it checks before the block's fields" ]

let private plane (assets: Assets.Assets) =
    ControlPlane.shared
        assets
        { Name = "plain"
          ControllerManager = true }

[<Tests>]
let tests =
    RealServer.tests "real API server: admission catalogue" (fun assets ->
        [ test "every CR the kernel judges is judged the same by the real API server, with dryRun=All" {
              let plane = plane assets
              OurCrds.install plane (TimeSpan.FromSeconds 60.0)
              let clock = Stopwatch.StartNew()

              let results =
                  entries |> List.map (fun entry -> entry, judge entry (answer plane.Http entry))

              let elapsed = clock.Elapsed

              let documentedFor (entry: Entry) =
                  documented |> List.tryFind (fun d -> d.Entries.IsMatch entry.Name)

              let bad = results |> List.filter (fun (e, _) -> e.Verdict <> Admitted)

              let agreeing = bad |> List.filter (fun (_, o) -> o = Agrees)

              let findings =
                  results
                  |> List.choose (fun (e, o) ->
                      match o with
                      | Finding what -> Some(e, what)
                      | _ -> None)

              let mismatches =
                  results
                  |> List.choose (fun (e, o) ->
                      match o with
                      | Mismatch what -> Some(e, what)
                      | _ -> None)

              let explained, unexplained =
                  mismatches |> List.partition (fun (e, _) -> (documentedFor e).IsSome)

              let accepted = results |> List.filter (fun (e, _) -> e.Verdict = Admitted)

              printfn
                  "admission catalogue: %d bad CRs: %d rejected at admission with the same field path, %d controller-only (findings), %d documented differences; %d accepted CRs admitted (%d CRs in %.1f s)"
                  bad.Length
                  agreeing.Length
                  findings.Length
                  explained.Length
                  (accepted |> List.filter (fun (_, o) -> o = Agrees) |> List.length)
                  results.Length
                  elapsed.TotalSeconds

              // The common configuration's rows repeat for every kind: one line per row, with the tables it is in.
              let table (e: Entry) =
                  match e.Name.Split('/', 3) with
                  | [| kind; table; _ |] when kind = table -> kind
                  | [| kind; table; _ |] -> kind + "/" + table
                  | _ -> e.Name

              let row (e: Entry) =
                  match e.Name.Split('/', 3) with
                  | [| _; _; row |] -> row
                  | _ -> e.Name

              for (row, what), kinds in
                  findings
                  |> List.groupBy (fun (e, what) -> row e, what)
                  |> List.map (fun (key, es) -> key, es |> List.map (fst >> table)) do
                  printfn
                      "  finding (validation only in the operator): %s [%s]: %s"
                      row
                      (String.concat ", " kinds)
                      what

              for e, what in explained do
                  printfn "  documented difference: %s: %s (%s)" e.Name what (documentedFor e).Value.Reason

              let stale =
                  documented
                  |> List.filter (fun d -> not (mismatches |> List.exists (fun (e, _) -> d.Entries.IsMatch e.Name)))

              let problems =
                  (unexplained |> List.map (fun (e, what) -> sprintf "%s: %s" e.Name what))
                  @ (stale
                     |> List.map (fun d -> sprintf "documented difference no longer occurs (remove it): %O" d.Entries))

              if not problems.IsEmpty then
                  failtestf
                      "%d CRs judged differently by the kernel and the real API server, %d stale documented differences:\n%s"
                      unexplained.Length
                      stale.Length
                      (String.concat "\n" problems)
          } ])

[<Tests>]
let paths =
    testList
        "admission catalogue: field paths"
        [ for server, kernel in
              [ "spec.logLevel", "spec.logLevel"
                ".spec.federation.bundleEndpoint.httpsWeb", "spec.federation.bundleEndpoint.httpsWeb"
                "spec.tolerations[0].key", "spec.tolerations[0].key"
                "spec.labels['team']", "spec.labels.team"
                " .metadata.name ", "metadata.name" ] ->
              test (sprintf "\"%s\" reads as %s" server kernel) { Expect.equal (normalise server) kernel "normalised" } ]
