/// The API server's audit log (one JSON line per request at ResponseComplete, Metadata level) read back as
/// requests: who asked, what verb on which resource, and the code they got. Counting the operator's own requests
/// here needs no cooperation from the operator, so a write it does not log still shows.
module Ztwim.Specs.Envtest.Audit

open System
open System.IO
open System.Text
open System.Text.Json

/// One request as the API server recorded it.
type Request =
    {
        User: string
        Verb: string
        /// "" for the core group.
        Group: string
        /// "" for a non-resource URL such as /apis.
        Resource: string
        Subresource: string
        Namespace: string
        Name: string
        Code: int
        Uri: string
        Received: DateTimeOffset
    }

/// A position in the audit log: the requests after it are the ones made since.
type Mark = Mark of int64

let private writeVerbs =
    set [ "create"; "update"; "patch"; "delete"; "deletecollection" ]

/// Whether the request changes something (create, update, patch, delete).
let isWrite (r: Request) = writeVerbs.Contains r.Verb

/// "daemonsets" or "pods/binding", with the group when it is not the core one: "daemonsets.apps".
let resourceName (r: Request) =
    let resource =
        if r.Subresource = "" then
            r.Resource
        else
            r.Resource + "/" + r.Subresource

    if r.Group = "" then resource else resource + "." + r.Group

/// A line a person can read in a failure message.
let describe (r: Request) =
    let target =
        match r.Namespace, r.Name with
        | "", "" -> ""
        | "", name -> " " + name
        | ns, "" -> " in " + ns
        | ns, name -> sprintf " %s/%s" ns name

    let what = if r.Resource = "" then r.Uri else resourceName r + target

    sprintf "%s %s %s -> %d (%s)" (r.Received.ToString "HH:mm:ss.fff") r.Verb what r.Code r.User

let private str (e: JsonElement) (name: string) =
    match e.ValueKind with
    | JsonValueKind.Object ->
        match e.TryGetProperty name with
        | true, v when v.ValueKind = JsonValueKind.String -> v.GetString()
        | _ -> ""
    | _ -> ""

// An absent object reads as an undefined element, whose fields read as "".
let private child (e: JsonElement) (name: string) =
    match e.ValueKind with
    | JsonValueKind.Object ->
        match e.TryGetProperty name with
        | true, v when v.ValueKind = JsonValueKind.Object -> v
        | _ -> JsonElement()
    | _ -> JsonElement()

let private parse (line: string) : Request option =
    try
        use doc = JsonDocument.Parse line
        let e = doc.RootElement

        if str e "stage" <> "ResponseComplete" then
            None
        else
            let o = child e "objectRef"

            let status = child e "responseStatus"

            let code =
                match status.ValueKind with
                | JsonValueKind.Object ->
                    match status.TryGetProperty "code" with
                    | true, c when c.ValueKind = JsonValueKind.Number -> c.GetInt32()
                    | _ -> 0
                | _ -> 0

            Some
                { User = str (child e "user") "username"
                  Verb = str e "verb"
                  Group = str o "apiGroup"
                  Resource = str o "resource"
                  Subresource = str o "subresource"
                  Namespace = str o "namespace"
                  Name = str o "name"
                  Code = code
                  Uri = str e "requestURI"
                  Received =
                    match DateTimeOffset.TryParse(str e "requestReceivedTimestamp") with
                    | true, t -> t
                    | _ -> DateTimeOffset.MinValue }
    with :? JsonException ->
        None

/// The end of the log now.
let mark (path: string) =
    if File.Exists path then
        Mark(FileInfo(path).Length)
    else
        Mark 0L

/// Every request recorded after the mark, in the order they completed. A line still being written is left out.
let since (path: string) (Mark offset) : Request list =
    if not (File.Exists path) then
        []
    else
        use stream =
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite ||| FileShare.Delete)

        stream.Seek(min offset stream.Length, SeekOrigin.Begin) |> ignore
        use reader = new StreamReader(stream, Encoding.UTF8)
        let text = reader.ReadToEnd()
        let complete = text.LastIndexOf '\n'

        if complete < 0 then
            []
        else
            text.Substring(0, complete).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            |> Seq.choose parse
            |> List.ofSeq

/// The requests made by one user: `system:serviceaccount:NS:NAME` for a ServiceAccount's token.
let by (user: string) (requests: Request list) =
    requests |> List.filter (fun r -> r.User = user)

/// Counts by verb, in verb order: "create 12, get 40, ...".
let verbCounts (requests: Request list) =
    requests
    |> List.countBy (fun r -> r.Verb)
    |> List.sort
    |> List.map (fun (verb, n) -> sprintf "%s %d" verb n)
    |> String.concat ", "

/// The requests that were refused for want of permission.
let forbidden (requests: Request list) =
    requests |> List.filter (fun r -> r.Code = 403)

/// The requests that lost a race (stale resourceVersion, or creating what exists).
let conflicts (requests: Request list) =
    requests |> List.filter (fun r -> r.Code = 409)
