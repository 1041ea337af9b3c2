/// Our CRDs (manifests/crds) on a real API server, installed as an administrator would: server-side apply, so
/// that suites sharing one control plane can each install them, in any order, and get the same CRDs.
module Ztwim.Specs.Envtest.OurCrds

open System
open System.Diagnostics
open System.IO
open System.Net
open System.Net.Http
open System.Text
open System.Threading
open Ztwim.Kernel
open Ztwim.Adapters.Files
open Ztwim.Specs
open Ztwim.Specs.Envtest.ControlPlane

let private fieldManager = "ztwim-specs"

/// The CRD documents of manifests/crds, each with its name.
let documents () : (string * Json) list =
    Directory.GetFiles(Repository.path "manifests/crds", "*.yaml")
    |> Array.sort
    |> Array.toList
    |> List.collect (fun file ->
        match ManifestReader.Read(File.ReadAllText file) with
        | Ok docs -> docs
        | Error e -> failwithf "%s: %s" file e)
    |> List.map (fun doc ->
        match Json.tryField "metadata" doc |> Option.bind (Json.tryField "name") with
        | Some(Json.String name) -> name, doc
        | _ -> failwithf "a CRD without a name: %s" (JsonText.compact doc))

let private send (http: HttpClient) (request: HttpRequestMessage) =
    use response = http.Send request
    response.StatusCode, response.Content.ReadAsStringAsync().Result

/// Whether the CRD says Established=True and its resource answers a list (the handler is installed).
let private served (http: HttpClient) (name: string) (doc: Json) =
    let text path =
        path
        |> List.fold (fun j k -> j |> Option.bind (Json.tryField k)) (Some doc)
        |> function
            | Some(Json.String s) -> s
            | _ -> ""

    let plural = text [ "spec"; "names"; "plural" ]
    let group = text [ "spec"; "group" ]

    let version =
        match Json.tryField "spec" doc |> Option.bind (Json.tryField "versions") with
        | Some(Json.Array(v :: _)) ->
            match Json.tryField "name" v with
            | Some(Json.String s) -> s
            | _ -> ""
        | _ -> ""

    let code, body =
        send
            http
            (new HttpRequestMessage(HttpMethod.Get, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + name))

    let established =
        code = HttpStatusCode.OK
        && (match JsonText.parse body with
            | Ok crd ->
                match Json.tryField "status" crd |> Option.bind (Json.tryField "conditions") with
                | Some(Json.Array conditions) ->
                    conditions
                    |> List.exists (fun c ->
                        Json.tryField "type" c = Some(Json.String "Established")
                        && Json.tryField "status" c = Some(Json.String "True"))
                | _ -> false
            | Error _ -> false)

    established
    && fst (send http (new HttpRequestMessage(HttpMethod.Get, sprintf "/apis/%s/%s/%s?limit=1" group version plural))) = HttpStatusCode.OK

/// Applies every CRD of manifests/crds and waits (at most `timeout`) until each is established and served.
let install (plane: ControlPlane) (timeout: TimeSpan) =
    let http = plane.Http
    let crds = documents ()

    for name, doc in crds do
        let request =
            new HttpRequestMessage(
                HttpMethod.Patch,
                sprintf
                    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/%s?fieldManager=%s&force=true"
                    name
                    fieldManager
            )

        request.Content <- new StringContent(JsonText.compact doc, Encoding.UTF8, "application/apply-patch+yaml")
        let code, body = send http request

        if code <> HttpStatusCode.OK && code <> HttpStatusCode.Created then
            failwithf "server-side apply of CRD %s answered %d: %s" name (int code) body

    let clock = Stopwatch.StartNew()

    let rec wait (pending: (string * Json) list) =
        match pending |> List.filter (fun (name, doc) -> not (served http name doc)) with
        | [] -> ()
        | left when clock.Elapsed > timeout ->
            failwithf
                "CRDs not established and served within %.0f s: %s"
                timeout.TotalSeconds
                (left |> List.map fst |> String.concat ", ")
        | left ->
            Thread.Sleep 100
            wait left

    wait crds
