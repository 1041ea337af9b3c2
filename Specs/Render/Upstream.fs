/// The differential oracle: what the upstream operator sent to a real API server for the manual's CRs
/// (Specs/Render/upstream-objects/01-manual), and a field-by-field comparison with what ztwim renders.
module Ztwim.Specs.Render.Upstream

open System.IO
open System.Text.RegularExpressions
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands
open Ztwim.Adapters.Files
open Ztwim.Specs

/// The reference folder, test data in the repository (its README says where it comes from).
let referenceDir = Repository.path "Specs/Render/upstream-objects/01-manual"

let private read (name: string) =
    File.ReadAllText(Path.Combine(referenceDir, name))

/// What upstream sent, one JSON object per operand object.
let upstreamObjects: Json list =
    match JsonText.parse (read "objects.json") with
    | Ok(Json.Array objects) -> objects
    | other -> failwithf "objects.json: %A" other

/// The operator's environment in that run.
let environment: Map<string, string> =
    (read "env.txt").Split('\n')
    |> Array.choose (fun line ->
        match line.Split('=', 2) with
        | [| k; v |] when k <> "" -> Some(k.Trim(), v.Trim())
        | _ -> None)
    |> Map.ofArray

let private text (path: string list) (json: Json) =
    path
    |> List.fold (fun j k -> j |> Option.bind (Json.tryField k)) (Some json)
    |> function
        | Some(Json.String s) -> s
        | _ -> ""

let kindOf (json: Json) = text [ "kind" ] json
let nameOf (json: Json) = text [ "metadata"; "name" ] json
let namespaceOf (json: Json) = text [ "metadata"; "namespace" ] json

/// The input CRs, each with the uid upstream's API server gave it, so that owner references compare equal.
let inputCrs: Json list =
    let uids =
        upstreamObjects
        |> List.filter (fun o -> text [ "apiVersion" ] o = Kind.apiVersion)
        |> List.map (fun o -> kindOf o, text [ "metadata"; "uid" ] o)
        |> Map.ofList

    let ztwimUid =
        upstreamObjects
        |> List.tryPick (fun o ->
            match Json.tryField "metadata" o |> Option.bind (Json.tryField "ownerReferences") with
            | Some(Json.Array(owner :: _)) when kindOf owner = "ZeroTrustWorkloadIdentityManager" ->
                Some(text [ "uid" ] owner)
            | _ -> None)
        |> Option.defaultValue ""

    match ManifestReader.Read(read "input.yaml") with
    | Ok docs ->
        docs
        |> List.map (fun cr ->
            let uid = uids |> Map.tryFind (kindOf cr) |> Option.defaultValue ztwimUid

            match cr, Json.tryField "metadata" cr with
            | Json.Object m, Some(Json.Object meta) ->
                Json.Object(Map.add "metadata" (Json.Object(Map.add "uid" (Json.String uid) meta)) m)
            | _ -> cr)
    | Error e -> failwith e

/// What ztwim renders for the input CRs in that environment.
let rendered: Json list =
    let resources =
        inputCrs
        |> List.map (fun cr ->
            match Crs.parse cr with
            | Ok r -> r
            | Error errors -> failwithf "input CR rejected: %A" errors)

    Operands.desired (Operands.ofResources resources) (Mode.ofEnvironment OpenShift environment)
    |> DesiredObject.manifests
    |> List.map snd

/// A difference between ours and upstream's at a path (None = absent on that side).
type Difference =
    { Path: string
      Ours: Json option
      Upstream: Json option }

let rec diff (path: string) (ours: Json option) (upstream: Json option) : Difference list =
    let at (k: string) = if path = "" then k else path + "." + k

    match ours, upstream with
    | Some(Json.Object a), Some(Json.Object b) ->
        Set.union (a |> Map.keys |> Set.ofSeq) (b |> Map.keys |> Set.ofSeq)
        |> Set.toList
        |> List.collect (fun k -> diff (at k) (Map.tryFind k a) (Map.tryFind k b))
    // A map one side lacks compares member by member with an empty one, so that an allowance can name the
    // members (ztwim's applied-* annotations) rather than the whole map.
    | Some(Json.Object _), None -> diff path ours (Some(Json.Object Map.empty))
    | None, Some(Json.Object _) -> diff path (Some(Json.Object Map.empty)) upstream
    | Some(Json.Array a), Some(Json.Array b) ->
        [ 0 .. max a.Length b.Length - 1 ]
        |> List.collect (fun i -> diff (sprintf "%s[%d]" path i) (List.tryItem i a) (List.tryItem i b))
    | a, b when a = b -> []
    | a, b -> [ { Path = path; Ours = a; Upstream = b } ]

/// A difference the comparison accepts: on objects of `Kind` named `Name` ("*" for any), at paths matching
/// `Path` ("*" is one path segment, "[*]" any index, a trailing ".**" anything below), and why.
type Allowance =
    { Kind: string
      Name: string
      Path: string
      Reason: string }

let private patternRegex (pattern: string) =
    let escaped = Regex.Escape pattern

    let body =
        escaped.Replace(@"\.\*\*", @"(\..+|\[.+)?").Replace(@"\[\*]", @"\[\d+]").Replace(@"\*", @"[^.\[]+")

    Regex("^" + body + "$")

let private allows (kind: string) (name: string) (d: Difference) (a: Allowance) =
    (a.Kind = "*" || a.Kind = kind)
    && (a.Name = "*" || a.Name = name)
    && (patternRegex a.Path).IsMatch d.Path

/// Fields the API server fills in and upstream copied back from the live object before its update.
let serverDefaults: Allowance list =
    let server path =
        { Kind = "*"
          Name = "*"
          Path = path
          Reason = "set by the API server; upstream copies it from the live object, ztwim leaves it to the server" }

    [ server "status.**"
      server "metadata.resourceVersion"
      server "spec.sessionAffinity"
      server "spec.internalTrafficPolicy"
      server "spec.template.spec.containers[*].terminationMessagePath"
      server "spec.template.spec.containers[*].terminationMessagePolicy"
      server "spec.template.spec.initContainers[*].terminationMessagePath"
      server "spec.template.spec.initContainers[*].terminationMessagePolicy" ]

/// The upstream objects owned by a kind (the Routes have no owner; they are matched by name).
let ownedBy (kind: Kind) =
    let routeOwner =
        Map.ofList
            [ "spire-server-federation", Kind.SpireServer
              "spire-oidc-discovery-provider", Kind.SpireOIDCDiscoveryProvider ]

    upstreamObjects
    |> List.filter (fun o ->
        match Json.tryField "metadata" o |> Option.bind (Json.tryField "ownerReferences") with
        | Some(Json.Array(owner :: _)) -> kindOf owner = Kind.name kind
        | _ -> kindOf o = "Route" && Map.tryFind (nameOf o) routeOwner = Some kind)

/// One test per upstream object of the kind: ours exists and differs only where an allowance says so.
let differential (kind: Kind) (allowances: Allowance list) =
    ownedBy kind
    |> List.map (fun upstream ->
        let kindName, name, ns = kindOf upstream, nameOf upstream, namespaceOf upstream

        test (sprintf "%s %s/%s" (Kind.name kind) kindName name) {
            let ours =
                rendered |> List.tryFind (fun o -> kindOf o = kindName && nameOf o = name)

            match ours with
            | None -> failtestf "ztwim renders no %s %s/%s" kindName ns name
            | Some ours ->
                let unexplained =
                    diff "" (Some ours) (Some upstream)
                    |> List.filter (fun d -> not (allowances @ serverDefaults |> List.exists (allows kindName name d)))

                if not unexplained.IsEmpty then
                    unexplained
                    |> List.map (fun d ->
                        sprintf
                            "%s: ours %s, upstream %s"
                            d.Path
                            (d.Ours |> Option.map JsonText.compact |> Option.defaultValue "<absent>")
                            (d.Upstream |> Option.map JsonText.compact |> Option.defaultValue "<absent>"))
                    |> String.concat "\n"
                    |> failtestf "%s/%s differs from upstream:\n%s" kindName name
        })
